"""The Flask API: tasks per owner, and the readiness probe. DATABASE_URL comes from the environment."""

from flask import Flask, jsonify, request

from api import add_task, connect, open_tasks


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        try:
            with connect() as conn:
                conn.execute("SELECT 1")
        except Exception:  # the database is not reachable yet: not ready
            return jsonify(status="unavailable"), 503
        return jsonify(status="ok")

    @app.get("/api/tasks")
    def tasks():
        owner = request.args.get("owner", "")
        if not owner:
            return jsonify(error="owner is required"), 400
        with connect() as conn:
            return jsonify(tasks=open_tasks(conn, owner))

    @app.post("/api/tasks")
    def create():
        body = request.get_json(silent=True) or {}
        title = str(body.get("title", "")).strip()
        if not title:
            return jsonify(error="title is required"), 400
        with connect() as conn:
            task_id = add_task(conn, title, owner=body.get("owner"))
        return jsonify(id=task_id, title=title), 201

    return app
