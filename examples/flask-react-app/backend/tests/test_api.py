"""Backend tests against the migrated PostgreSQL of the pipeline (DATABASE_URL)."""

import api


def test_open_tasks_of_an_owner():
    with api.connect() as conn:
        api.add_task(conn, "write migrations", owner="ada")
        api.add_task(conn, "review", owner="grace")
        assert api.open_tasks(conn, "ada") == ["write migrations"]
        conn.rollback()


def test_healthz_is_ready_when_postgres_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_create_then_list(client):
    created = client.post("/api/tasks", json={"title": "ship it", "owner": "linus"})
    assert created.status_code == 201
    assert client.get("/api/tasks?owner=linus").get_json() == {"tasks": ["ship it"]}


def test_bad_requests_say_what_is_missing(client):
    assert client.post("/api/tasks", json={}).get_json() == {"error": "title is required"}
    assert client.get("/api/tasks").status_code == 400
