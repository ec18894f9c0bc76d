"""Serve /healthz on :8000 (python -m app)."""

from http.server import BaseHTTPRequestHandler, HTTPServer

from app.health import respond


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status, body = respond(self.path)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    HTTPServer(("", 8000), Handler).serve_forever()
