"""Filters of the procedures API. Cases, procedures and users are filtered by plain id (no lookup
of the id itself), so filtering on another association's record answers an empty list, never
« does not exist »: nothing is disclosed."""

import django_filters

from ..models import Deadline, Decision, Event, Filing, Hearing, Procedure, Referral


class ProcedureFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case")
    parquet = django_filters.NumberFilter(field_name="parquet")
    court_of_appeal = django_filters.NumberFilter(field_name="parquet__court_of_appeal")
    opened_after = django_filters.DateFilter(field_name="opened_on", lookup_expr="gte")
    opened_before = django_filters.DateFilter(field_name="opened_on", lookup_expr="lte")

    class Meta:
        model = Procedure
        fields = ["case", "parquet", "court_of_appeal", "stage", "outcome", "opened_after", "opened_before"]


class ReferralFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case")
    procedure = django_filters.NumberFilter(field_name="procedures", distinct=True)

    class Meta:
        model = Referral
        fields = ["case", "kind", "procedure"]


class FilingFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="procedure__case")
    procedure = django_filters.NumberFilter(field_name="procedure")

    class Meta:
        model = Filing
        fields = ["case", "procedure", "status", "mode", "legal_basis"]


class HearingFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="procedure__case")
    procedure = django_filters.NumberFilter(field_name="procedure")
    starts_after = django_filters.DateFilter(field_name="starts_at__date", lookup_expr="gte")
    starts_before = django_filters.DateFilter(field_name="starts_at__date", lookup_expr="lte")

    class Meta:
        model = Hearing
        fields = ["case", "procedure", "status", "starts_after", "starts_before"]


class DecisionFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="procedure__case")
    procedure = django_filters.NumberFilter(field_name="procedure")

    class Meta:
        model = Decision
        fields = ["case", "procedure", "kind"]


class EventFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case")
    procedure = django_filters.NumberFilter(field_name="procedure")

    class Meta:
        model = Event
        fields = ["case", "procedure", "kind"]


class TimelineFilter(django_filters.FilterSet):
    procedure = django_filters.NumberFilter(field_name="procedure")

    class Meta:
        model = Event
        fields = ["procedure", "kind"]


class DeadlineFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case")
    procedure = django_filters.NumberFilter(field_name="procedure")
    owner = django_filters.NumberFilter(field_name="owner")
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = Deadline
        fields = ["case", "procedure", "status", "owner", "due_after", "due_before"]
