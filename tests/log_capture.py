"""Everything the application logs, as configured by settings.LOGGING (same filters, formatter and
levels), written to a buffer instead of stderr: what an operator would read."""

import copy
import io
import json
import logging
import logging.config
from contextlib import contextmanager

from django.conf import settings


@contextmanager
def captured_logs(*, level: str = "INFO", log_format: str = "json"):
    config = copy.deepcopy(settings.LOGGING)
    config["root"]["level"] = level
    config["handlers"]["console"]["formatter"] = log_format
    buffer = io.StringIO()
    logging.config.dictConfig(config)
    [handler] = logging.getLogger().handlers
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        logging.config.dictConfig(settings.LOGGING)


def json_lines(buffer: io.StringIO) -> list[dict]:
    """Every line, each of which must be one JSON object."""
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
