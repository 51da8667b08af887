"""gunicorn's threaded worker, answering the errors gunicorn raises itself as problem+json.

gunicorn answers a malformed request line (400), a line too long (414) or headers too large (431)
with an HTML page, and logs the offending request line (`Invalid request from ip=…: <line>`),
which may hold names. This worker writes a problem (front_errors.py) and logs the error's type only.
"""
from __future__ import annotations

import ssl

from gunicorn.http import errors as http_errors
from gunicorn.workers.gthread import ThreadWorker

from .front_errors import REASONS, problem_body, problem_headers

_STATUS = [(http_errors.LimitRequestLine, 414), (http_errors.LimitRequestHeaders, 431),
           (http_errors.ForbiddenProxyRequest, 403), (ssl.SSLError, 403)]
for _name, _status in (("UnsupportedTransferCoding", 501), ("ExpectationFailed", 417)):
    if hasattr(http_errors, _name):
        _STATUS.append((getattr(http_errors, _name), _status))
_SERVER_FAULTS = tuple(getattr(http_errors, n) for n in ("InvalidResponseHeader", "InvalidResponseHeaderName",
                                                        "ConfigurationProblem") if hasattr(http_errors, n))


def status_of(exc: BaseException) -> int:
    if isinstance(exc, _SERVER_FAULTS):
        return 500
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 400 if isinstance(exc, http_errors.ParseException) else 500


class ProblemThreadWorker(ThreadWorker):
    def handle_error(self, req, client, addr, exc):
        status = status_of(exc)
        if status == 500:
            self.log.error("error handling a request (%s)", type(exc).__name__)
        else:
            self.log.warning("invalid request refused with %d (%s)", status, type(exc).__name__)
        body = problem_body(status)
        head = "".join(f"{k}: {v}\r\n" for k, v in problem_headers(body))
        try:
            client.sendall(f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n{head}\r\n".encode("latin-1") + body)
        except OSError:
            self.log.debug("could not send the error answer")
