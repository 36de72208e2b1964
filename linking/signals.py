"""What linking tells the apps that read it (statistics) when its judgements change."""

from django.dispatch import Signal

# Sent inside the deciding transaction when a duplicate pair is judged or its judgement withdrawn;
# argument: procedure_ids (both of the pair).
procedures_grouped = Signal()
