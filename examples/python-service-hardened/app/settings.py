"""Service settings: everything secret comes from the environment, nothing is written here."""

import os

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
