"""The readiness answer at /healthz: the service is up and runs this version (the smoke test reads it)."""

import json
import os


def version() -> str:
    # Set at build time (the image's APP_VERSION build argument is the commit it was built from).
    return os.environ.get("APP_VERSION", "dev")


def healthz() -> "tuple[int, bytes]":
    return 200, json.dumps({"status": "ok", "version": version()}).encode()


def respond(path: str) -> "tuple[int, bytes]":
    if path != "/healthz":
        return 404, b'{"status": "not found"}'
    return healthz()
