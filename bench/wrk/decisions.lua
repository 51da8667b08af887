-- wrk script: POST /v1/decisions, cycling through request bodies read from a file (one JSON
-- object a line), with the bearer token and the shard key as headers.
--   wrk -t1 -c8 -d10s -s decisions.lua URL -- BODIES TOKEN CLB
local bodies = {}
local next_body = 0

function init(args)
  for line in io.lines(args[1]) do
    bodies[#bodies + 1] = line
  end
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Deelwijzer-CLB"] = args[3]
end

function request()
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/v1/decisions", nil, bodies[next_body])
end
