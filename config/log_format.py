"""The JSON form of a log line (LOG_FORMAT=json, the default in production): one object per line,
made by python-json-logger, holding only the fields named here."""

from pythonjsonlogger.json import JsonFormatter

# Extra attributes a record may carry out to the line. Anything else stays out: Django puts the
# whole `request` on its records (its repr holds the query string, a search for a victim's name),
# Celery its task's arguments and return value.
EXTRA_FIELDS = frozenset(
    {
        "request_id",
        "task_id",
        "task_name",
        "method",
        "route",
        "status",
        "duration_ms",
        "user_id",
        "association_id",
        "exc_info",
        "stack_info",
    }
)


class JsonLineFormatter(JsonFormatter):
    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        standard = {self._get_rename(field) for field in self._required_fields}
        if self.timestamp:
            standard.add(self._get_rename(self.timestamp if isinstance(self.timestamp, str) else "timestamp"))
        for key in [key for key in log_data if key not in standard and key not in EXTRA_FIELDS]:
            del log_data[key]
