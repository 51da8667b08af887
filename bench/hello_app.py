"""The HTTP floor: a bare Flask app behind the same gunicorn settings as the service.

    gunicorn -c python:query_service.gunicorn_conf bench.hello_app:app

It answers the benchmark's POST /v1/decisions with a fixed small JSON body (201), doing nothing
else: what Flask + gunicorn + loopback cost on their own.
"""
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/v1/health")
def health():
    return jsonify({"status": "ok"})


@app.post("/v1/decisions")
def decisions():
    response = jsonify({"outcome": "hello"})
    response.status_code = 201
    return response
