"""The header's search: cases by reference or title, procedures by parquet number (any spelling),
victims by pseudonym, only in the cases the user sees (cases.selectors.case_queryset_for_user).
A victim is only ever shown by pseudonym here, whatever the user's role."""

from dataclasses import dataclass, field

from django.db.models import Q

from cases.models import Case, Victim
from cases.selectors import case_queryset_for_user

from .models import Procedure
from .procedure_list import parquet_search_key, parquet_search_key_expression

PER_KIND = 10
MIN_LENGTH = 2


@dataclass
class SearchResults:
    query: str
    cases: list = field(default_factory=list)
    procedures: list = field(default_factory=list)
    victims: list = field(default_factory=list)
    more_cases: bool = False
    more_procedures: bool = False
    more_victims: bool = False

    @property
    def procedure_cases(self) -> list:
        """Each case the procedures found belong to, once: where « voir tout » leads."""
        return list({procedure.case_id: procedure.case for procedure in self.procedures}.values())

    @property
    def case_ids(self) -> set[int]:
        """The cases whose data the results show (for the access log)."""
        return {p.case_id for p in self.procedures} | {v.case_id for v in self.victims}


def global_search(user, query: str, *, association_id=None) -> SearchResults:
    query = (query or "").strip()[:80]
    results = SearchResults(query=query)
    if len(query) < MIN_LENGTH:
        return results
    cases = case_queryset_for_user(user, association_id=association_id)
    found = list(
        Case.objects.filter(pk__in=cases.values("pk"))
        .filter(Q(reference__icontains=query) | Q(title__icontains=query))
        .order_by("reference")[: PER_KIND + 1]
    )
    results.cases, results.more_cases = found[:PER_KIND], len(found) > PER_KIND
    key = parquet_search_key(query)
    if key:
        # A prefix of the letters-and-digits key: read from the functional index across ~1M rows.
        found = list(
            Procedure.objects.filter(case__in=cases)
            .alias(search_key=parquet_search_key_expression())
            .filter(search_key__startswith=key)
            .select_related("parquet", "case")
            .order_by("normalised_reference", "pk")[: PER_KIND + 1]
        )
        results.procedures, results.more_procedures = found[:PER_KIND], len(found) > PER_KIND
    found = list(
        Victim.objects.filter(case__in=cases, pseudonym__istartswith=query)
        .select_related("case")
        .only("pk", "pseudonym", "case__reference", "case__title", "case_id")
        .order_by("pseudonym", "pk")[: PER_KIND + 1]
    )
    results.victims, results.more_victims = found[:PER_KIND], len(found) > PER_KIND
    return results
