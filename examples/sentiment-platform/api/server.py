"""The sentiment API's HTTP surface: the probes the chart declares, and a toy scoring endpoint."""

import json
from http.server import BaseHTTPRequestHandler, HTTPServer

POSITIVE = {"good", "great", "love", "excellent"}
NEGATIVE = {"bad", "awful", "hate", "terrible"}


def score(text):
    words = text.lower().split()
    return sum(w in POSITIVE for w in words) - sum(w in NEGATIVE for w in words)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path in ("/healthz", "/ready"):
            return self._send(200, {"status": "ok"})
        return self._send(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/score":
            return self._send(404, {"error": "not found"})
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        return self._send(200, {"score": score(json.loads(body or b"{}").get("text", ""))})

    def _send(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    HTTPServer(("", 8000), Handler).serve_forever()
