"""Unit tests: no database, no network."""

import json

from app import health


def test_healthz_names_the_version_the_image_was_built_from(monkeypatch):
    monkeypatch.setenv("APP_VERSION", "abc123")
    status, body = health.respond("/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "version": "abc123"}


def test_a_local_run_says_dev(monkeypatch):
    monkeypatch.delenv("APP_VERSION", raising=False)
    assert health.version() == "dev"


def test_other_paths_are_not_found():
    assert health.respond("/admin")[0] == 404
