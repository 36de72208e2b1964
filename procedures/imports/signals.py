"""What an applied import tells the apps that read procedures (statistics) without `procedures`
knowing them: the design's one-way dependency (DESIGN.md, « Dependencies run one way »)."""

from django.dispatch import Signal

# Sent once an import that wrote rows (not a dry run) is done; arguments: job_id.
import_applied = Signal()
