"""GET /api/v1/statistics/summary: headline figures within the caller's rights (a token acts for
its association; a session for the association given, else the active one). The figures are read
from the read replica when there is one (config/db_router.py)."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.actors import Actor
from cases.api.authentication import scope_association_id
from cases.models import AccessAction, OffenceCategory
from cases.selectors import court_of_appeal_list, parquet_list, platform_list
from cases.services import access_log_record
from config.db_router import replica_reads

from .figures import StatisticsFilter, figures_for
from .forms import parse_month
from .selectors import statistics_membership


class MonthField(serializers.CharField):
    def to_internal_value(self, data):
        from django.core.exceptions import ValidationError

        try:
            return parse_month(super().to_internal_value(data))
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


SummaryQuerySerializer = type(
    "StatisticsSummaryQuerySerializer",
    (serializers.Serializer,),
    {
        "association": serializers.IntegerField(
            required=False, min_value=1, help_text=_("Association (session seulement ; un jeton fixe la sienne).")
        ),
        "platform": serializers.PrimaryKeyRelatedField(queryset=platform_list(), required=False),
        "from": MonthField(required=False, help_text=_("Premier mois d'ouverture, AAAA-MM.")),
        "to": MonthField(required=False, help_text=_("Dernier mois d'ouverture, AAAA-MM.")),
        "parquet": serializers.PrimaryKeyRelatedField(queryset=parquet_list(), required=False),
        "offence_category": serializers.ChoiceField(choices=OffenceCategory.choices, required=False),
        "court_of_appeal": serializers.PrimaryKeyRelatedField(queryset=court_of_appeal_list(), required=False),
        "validate": lambda self, data: _check_period(data),
    },
)


def _check_period(data):
    if data.get("from") and data.get("to") and data["to"] < data["from"]:
        raise serializers.ValidationError({"to": [_("La fin de la période précède son début.")]})
    return data


class StatisticsSummarySerializer(serializers.Serializer):
    association = serializers.IntegerField()
    from_snapshot = serializers.BooleanField(help_text=_("Lu dans les chiffres du dernier calcul (aucun filtre)."))
    procedures = serializers.IntegerField()
    parquets = serializers.IntegerField()
    victims = serializers.IntegerField(help_text=_("Victimes distinctes."))
    minor_victims = serializers.IntegerField(help_text=_("Victimes mineures au moment des faits, distinctes."))
    suspects = serializers.IntegerField()
    filings = serializers.IntegerField(help_text=_("Constitutions de partie civile déposées."))
    convictions = serializers.IntegerField(help_text=_("Procédures terminées par une condamnation."))
    decision_median_days = serializers.FloatField(allow_null=True)
    decision_p90_days = serializers.FloatField(allow_null=True)
    judgment_median_days = serializers.FloatField(allow_null=True)
    judgment_p90_days = serializers.FloatField(allow_null=True)


class StatisticsSummaryView(APIView):
    @extend_schema(
        operation_id="statistics_summary",
        tags=["statistics"],
        summary="Chiffres clés des procédures de l'association",
        parameters=[SummaryQuerySerializer],
        responses={200: StatisticsSummarySerializer},
    )
    def get(self, request):
        query = SummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        scope = scope_association_id(request)
        wanted = data.get("association")
        if scope is not None and wanted is not None and wanted != scope:
            raise Http404
        membership = statistics_membership(request.user, request.membership, association_id=scope or wanted)
        flt = StatisticsFilter(
            association_id=membership.association_id,
            platform_id=data["platform"].pk if data.get("platform") else None,
            month_from=data.get("from"),
            month_to=data.get("to"),
            category=data.get("offence_category") or "",
            court_of_appeal_id=data["court_of_appeal"].pk if data.get("court_of_appeal") else None,
            parquet_id=data["parquet"].pk if data.get("parquet") else None,
        )
        with replica_reads():
            result = figures_for(flt)
        access_log_record(actor=Actor.from_request(request), action=AccessAction.VIEW, obj=membership.association)
        totals = result.totals
        body = {
            "association": membership.association_id,
            "from_snapshot": result.from_snapshot,
            **{name: totals[name] for name in ("procedures", "parquets", "victims", "minor_victims", "suspects")},
            "filings": totals["filings"],
            "convictions": totals["convictions"],
            **{
                f"{name}_days": totals[name]
                for name in ("decision_median", "decision_p90", "judgment_median", "judgment_p90")
            },
        }
        return Response(StatisticsSummarySerializer(body).data)
