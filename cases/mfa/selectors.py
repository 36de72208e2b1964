"""Reads of a user's own security records: sign-ins and failures, as django-axes keeps them."""

from axes.models import AccessFailureLog, AccessLog

SIGN_IN_HISTORY_SIZE = 30


def sign_in_history(username: str) -> list[dict]:
    """The last sign-ins, successful or not, newest first."""
    successes = [
        {"at": log.attempt_time, "ok": True, "ip": log.ip_address, "agent": log.user_agent, "logout": log.logout_time}
        for log in AccessLog.objects.filter(username=username).order_by("-attempt_time")[:SIGN_IN_HISTORY_SIZE]
    ]
    failures = [
        {"at": log.attempt_time, "ok": False, "ip": log.ip_address, "agent": log.user_agent, "locked": log.locked_out}
        for log in AccessFailureLog.objects.filter(username=username).order_by("-attempt_time")[:SIGN_IN_HISTORY_SIZE]
    ]
    return sorted(successes + failures, key=lambda row: row["at"], reverse=True)[:SIGN_IN_HISTORY_SIZE]
