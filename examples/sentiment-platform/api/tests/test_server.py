"""unit: the scoring rule; integration: the HTTP surface, served on loopback as the chart's probes reach it."""

import json
import threading
import urllib.request
from http.server import HTTPServer

import pytest

import server


@pytest.mark.unit
@pytest.mark.parametrize(("text", "expected"), [("I love it", 1), ("awful, just bad", -1), ("Great GOOD", 2), ("", 0)])
def test_score(text, expected):
    assert server.score(text) == expected


@pytest.fixture(scope="module")
def base_url():
    httpd = HTTPServer(("127.0.0.1", 0), server.Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.integration
@pytest.mark.parametrize("path", ["/healthz", "/ready"])
def test_probes(base_url, path):
    with urllib.request.urlopen(base_url + path, timeout=5) as r:  # nosec B310 - loopback test server
        assert json.load(r) == {"status": "ok"}


@pytest.mark.integration
def test_score_endpoint_and_unknown_paths(base_url):
    req = urllib.request.Request(base_url + "/score", data=b'{"text": "great"}', method="POST")
    with urllib.request.urlopen(req, timeout=5) as r:  # nosec B310 - loopback test server
        assert json.load(r) == {"score": 1}
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(base_url + "/nope", timeout=5)  # nosec B310
    assert e.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(
            urllib.request.Request(base_url + "/other", data=b"{}", method="POST"), timeout=5
        )  # nosec B310
    assert e.value.code == 404
