"""Procedures imported twice: the same parquet's number written two ways (« 21/4857 »,
« 21004857 », « P21.004857 ») for the same parquet and the same opening date. Found by a key of
the number (its year's two digits, then the rest without leading zeros), proposed for review,
grouped reversibly by a lawyer's decision with its reason; nothing of either procedure is moved."""

import re
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Permission
from cases.selectors import membership_require

from .models import Judgement, ProcedureDecision
from .resolver import clusters
from .signals import procedures_grouped


def number_key(reference: str) -> str:
    """« 21/4857 », « 21004857 » and « P21.004857 » → « 21:4857 »."""
    digits = re.sub(r"\D", "", reference or "")
    if len(digits) < 4:
        return digits
    return f"{digits[:2]}:{digits[2:].lstrip('0')}"


def duplicates_propose(*, association_id: int) -> int:
    """Pairs of the association's procedures with one case, one parquet, one number key and no
    different opening dates, not judged yet, as `possible` decisions."""
    from procedures.models import Procedure

    groups = defaultdict(list)
    rows = Procedure.objects.filter(case__association_id=association_id).values_list(
        "pk", "case_id", "parquet_id", "parquet_reference", "opened_on"
    )
    for pk, case_id, parquet_id, reference, opened_on in rows.iterator(chunk_size=5000):
        groups[(case_id, parquet_id, number_key(reference))].append((pk, opened_on))
    judged = set(
        ProcedureDecision.objects.filter(association_id=association_id, withdrawn_at__isnull=True).values_list(
            "left_id", "right_id"
        )
    )
    new = []
    for members in groups.values():
        for index, (left, left_opened) in enumerate(members):
            for right, right_opened in members[index + 1 :]:
                if left_opened and right_opened and left_opened != right_opened:
                    continue
                pair = tuple(sorted((left, right)))
                if pair not in judged:
                    judged.add(pair)
                    new.append(
                        ProcedureDecision(
                            association_id=association_id,
                            left_id=pair[0],
                            right_id=pair[1],
                            judgement=Judgement.POSSIBLE,
                        )
                    )
    ProcedureDecision.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def procedure_decision_record(*, user, left, right, judgement: str, reason: str) -> ProcedureDecision:
    if left.case_id != right.case_id:
        raise ValidationError({"right": _("Deux procédures d'affaires différentes ne sont pas des doublons.")})
    association_id = left.case.association_id
    membership_require(user, association_id, Permission.CHANGE_CASES)
    if judgement not in (Judgement.SAME, Judgement.NOT_SAME):
        raise ValidationError({"judgement": _("Choisissez « même procédure » ou « procédures différentes ».")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Donnez le motif de la décision.")})
    if left.pk == right.pk:
        raise ValidationError({"right": _("Une procédure ne peut être regroupée avec elle-même.")})
    left, right = sorted((left, right), key=lambda procedure: procedure.pk)
    ProcedureDecision.objects.select_for_update().filter(left=left, right=right, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by=user
    )
    decision = ProcedureDecision.objects.create(
        association_id=association_id, left=left, right=right, judgement=judgement, reason=reason, decided_by=user
    )
    procedures_grouped.send(sender=ProcedureDecision, procedure_ids=[left.pk, right.pk])
    return decision


@transaction.atomic
def procedure_decision_withdraw(*, user, decision: ProcedureDecision) -> ProcedureDecision:
    membership_require(user, decision.association_id, Permission.CHANGE_CASES)
    if ProcedureDecision.objects.filter(pk=decision.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by=user
    ):
        procedures_grouped.send(sender=ProcedureDecision, procedure_ids=[decision.left_id, decision.right_id])
    decision.refresh_from_db()
    return decision


def procedure_groups(association_id: int, procedure_ids) -> dict[int, int]:
    """procedure id → the id naming its group (itself when not grouped), from the live decisions."""
    live = ProcedureDecision.objects.filter(association_id=association_id, withdrawn_at__isnull=True)
    same = list(live.filter(judgement=Judgement.SAME).order_by("decided_at", "pk").values_list("left_id", "right_id"))
    apart = live.filter(judgement=Judgement.NOT_SAME).values_list("left_id", "right_id")
    ids = set(procedure_ids) | {pk for pair in same for pk in pair}
    return clusters(ids, same, apart)
