"""Copy the latest benchmark table (bench/results/RESULTS.md, up to its first plot) into
docs/performance.md between the `results` markers: python scripts/readme_results.py"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- results:start -->", "<!-- results:end -->"

results = (ROOT / "bench" / "results" / "RESULTS.md").read_text(encoding="utf-8")
body = results.split("\n", 1)[1]  # without its own title
body = body.split("![", 1)[0].rstrip() + "\n\nPlots: [latency](../bench/results/latency.png), [load](../bench/results/load.png); " \
    "the peers' cross-check and what each cannot express: [bench/results/RESULTS.md](../bench/results/RESULTS.md).\n"
TARGET = ROOT / "docs" / "performance.md"
readme = TARGET.read_text(encoding="utf-8")
before, rest = readme.split(START, 1)
_, after = rest.split(END, 1)
TARGET.write_text(before + START + "\n" + body + END + after, encoding="utf-8")
print("docs/performance.md: results table updated")
