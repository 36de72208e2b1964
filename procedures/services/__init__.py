"""Workflows that write procedures and their records. Each one writes its timeline Event and opens
the deadlines the CPP attaches to it (procedures/openings.py), in one transaction. Permission
checks go through the case."""

from .base import DECISION_FIELDS, EVENT_FIELDS, FILING_FIELDS, HEARING_FIELDS, PROCEDURE_FIELDS, REFERRAL_FIELDS
from .deadlines import (
    court_closures,
    deadline_cancel,
    deadline_complete,
    deadline_compute,
    deadline_open,
    deadline_override,
    deadline_reassign,
    deadline_reassign_allowed,
    deadlines_mark_missed,
    deadlines_open_for,
)
from .procedures import procedure_create, procedure_transfer, procedure_update, referral_record, referral_update
from .records import (
    decision_facts,
    decision_record,
    decision_update,
    decision_waiting,
    event_facts,
    event_record,
    filing_problems,
    filing_submit,
    filing_update,
    hearing_record,
    hearing_update,
)

__all__ = [
    "DECISION_FIELDS",
    "EVENT_FIELDS",
    "FILING_FIELDS",
    "HEARING_FIELDS",
    "PROCEDURE_FIELDS",
    "REFERRAL_FIELDS",
    "court_closures",
    "deadline_cancel",
    "deadline_complete",
    "deadline_compute",
    "deadline_open",
    "deadline_override",
    "deadline_reassign",
    "deadline_reassign_allowed",
    "deadlines_mark_missed",
    "deadlines_open_for",
    "decision_facts",
    "decision_record",
    "decision_update",
    "decision_waiting",
    "event_facts",
    "event_record",
    "filing_problems",
    "filing_submit",
    "filing_update",
    "hearing_record",
    "hearing_update",
    "procedure_create",
    "procedure_transfer",
    "procedure_update",
    "referral_record",
    "referral_update",
]
