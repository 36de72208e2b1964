from .deadline import CalendarToken, Deadline, DeadlineReminder, DeadlineStatus
from .imports import ImportFormat, ImportJob, ImportStatus
from .procedure import Outcome, Procedure, Stage
from .records import (
    Decision,
    DecisionKind,
    Event,
    EventKind,
    Filing,
    FilingMode,
    FilingStatus,
    Hearing,
    HearingStatus,
    LegalBasis,
    Referral,
    ReferralKind,
)

__all__ = [
    "CalendarToken",
    "Deadline",
    "DeadlineReminder",
    "DeadlineStatus",
    "Decision",
    "DecisionKind",
    "Event",
    "EventKind",
    "Filing",
    "FilingMode",
    "FilingStatus",
    "Hearing",
    "HearingStatus",
    "ImportFormat",
    "ImportJob",
    "ImportStatus",
    "LegalBasis",
    "Outcome",
    "Procedure",
    "Referral",
    "ReferralKind",
    "Stage",
]
