from .access import AccessAction, AccessLog
from .accounts import ROLE_PERMISSIONS, ApiToken, Association, Membership, Permission, Purpose, Role
from .case import Case, CaseOffence, CaseShare, CaseStatus, ShareAccess
from .exhibits import Exhibit
from .parties import ConsentBy, Suspect, SuspectStatus, Victim
from .reference import (
    CourtOfAppeal,
    Offence,
    OffenceCategory,
    OffenceNature,
    Parquet,
    ParquetKind,
    Platform,
    PrescriptionRule,
)

__all__ = [
    "ROLE_PERMISSIONS",
    "AccessAction",
    "AccessLog",
    "ApiToken",
    "Association",
    "Case",
    "CaseOffence",
    "CaseShare",
    "CaseStatus",
    "ConsentBy",
    "CourtOfAppeal",
    "Exhibit",
    "Membership",
    "Offence",
    "OffenceCategory",
    "OffenceNature",
    "Parquet",
    "ParquetKind",
    "Permission",
    "Platform",
    "PrescriptionRule",
    "Purpose",
    "Role",
    "ShareAccess",
    "Suspect",
    "SuspectStatus",
    "Victim",
]
