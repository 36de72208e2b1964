"""Logging filters. A calendar feed's URL carries its secret (calendar apps cannot send headers):
every log line that names such a URL — the development server's access log, Django's « Not Found »
warnings — keeps the path but not the secret. The development server's request lines also lose
their query string."""

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


# A request line as the development server logs it: « "GET /recherche/?q=… HTTP/1.1" ».
QUERY_STRING = re.compile(r'("[A-Z]+ [^\s?"]*)\?[^\s"]*(\s+HTTP/[\d.]+")')


class RedactQueryStrings(logging.Filter):
    """A query string can hold a search for a victim's name: the request line keeps its path only."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = QUERY_STRING.sub(r"\1?•••\2", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
