"""Serve the API's readiness probe on :8000 (python -m api): ready when PostgreSQL answers."""
from http.server import BaseHTTPRequestHandler, HTTPServer

from api import connect


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/healthz":
            self.send_error(404)
            return
        try:
            with connect() as conn:
                conn.execute("SELECT 1")
            self.send_response(200)
        except Exception:  # the database is not reachable yet: not ready
            self.send_response(503)
        self.end_headers()


if __name__ == "__main__":
    HTTPServer(("", 8000), Handler).serve_forever()
