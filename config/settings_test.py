"""Settings for pytest (pyproject.toml): development mode, as under `make test`, for a developer who
runs .venv/bin/pytest directly. pytest-django loads settings before any conftest.py, so the default
is set here. Processes the tests start inherit DEBUG=1 from this environment."""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: F403
