import django_filters

from cases.models import Case, Exhibit, Offence, Parquet, Suspect, Victim


class CaseFilter(django_filters.FilterSet):
    offence = django_filters.NumberFilter(field_name="offences", distinct=True)
    facts_after = django_filters.DateFilter(field_name="facts_start", lookup_expr="gte")
    facts_before = django_filters.DateFilter(field_name="facts_start", lookup_expr="lte")

    class Meta:
        model = Case
        fields = ["status", "platform", "association", "offence", "lead_lawyer"]


class VictimFilter(django_filters.FilterSet):
    class Meta:
        model = Victim
        fields = ["case", "minor_at_facts"]


class SuspectFilter(django_filters.FilterSet):
    class Meta:
        model = Suspect
        fields = ["case", "status"]


class ExhibitFilter(django_filters.FilterSet):
    class Meta:
        model = Exhibit
        fields = ["case", "content_type"]


class ParquetFilter(django_filters.FilterSet):
    class Meta:
        model = Parquet
        fields = ["kind", "court_of_appeal", "active", "holiday_subdivision"]


class OffenceFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="categories", lookup_expr="contains", method="filter_category")

    class Meta:
        model = Offence
        fields = ["nature", "natinf", "article", "prescription_rule"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(categories__contains=[value])
