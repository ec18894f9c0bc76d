"""WSGI entry point of the example service."""
from flask import Flask

app = Flask(__name__)


@app.get("/healthz")
def healthz() -> tuple[str, int]:
    return "ok", 200
