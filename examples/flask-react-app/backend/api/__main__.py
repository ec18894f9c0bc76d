"""Serve the API on :8000 (python -m api)."""

from api.app import create_app

if __name__ == "__main__":
    create_app().run(host="0.0.0.0", port=8000)  # nosec B104 - inside the container
