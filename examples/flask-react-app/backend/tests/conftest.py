"""The tests run against the pipeline's PostgreSQL, migrated to head (DATABASE_URL)."""

import pytest

from api.app import create_app


@pytest.fixture()
def client():
    app = create_app()
    app.testing = True
    return app.test_client()
