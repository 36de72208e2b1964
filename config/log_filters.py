"""Logging filters. A calendar feed's URL carries its secret (calendar apps cannot send headers):
every log line that names such a URL — the development server's access log, Django's « Not Found »
warnings — keeps the path but not the secret."""

import logging
import re

CALENDAR_SECRET = re.compile(r"(/calendrier/)[^/\s\"'?]+(\.ics)")


def redact(text: str) -> str:
    return CALENDAR_SECRET.sub(r"\1•••\2", text)


class RedactCalendarSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
