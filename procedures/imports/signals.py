"""What an applied import tells the apps that read procedures (statistics, linking) without `procedures`
knowing them: the design's one-way dependency (DESIGN.md, « Dependencies run one way »)."""

from django.dispatch import Signal

# Sent once an import that wrote rows (not a dry run) is done; arguments: job_id.
import_applied = Signal()

# Sent once the prelude of an applied import (not a dry run) has committed, before its chunks are
# written; arguments: job_id, case_id, suspect_ids (suspects the import created or gave new
# identifiers), victim_ids (victims it created). The ids are kept with the job and sent again when
# a failed import is resumed: receivers must be idempotent. A receiver that raises fails the import
# (« Reprendre » sends again), so a receiver should only record or queue its work.
import_persons_written = Signal()
