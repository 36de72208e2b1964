"""What `cases` tells the apps that follow its parties (linking) without knowing them: the
design's one-way dependency."""

from django.dispatch import Signal

# Sent, inside the saving transaction, when suspects or victims of a case were created or changed
# (entered, edited, or a victim's identity erased); arguments: case_id, suspect_ids, victim_ids.
parties_saved = Signal()
