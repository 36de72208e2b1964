"""Factories for procedures' records. Parquets and courts of appeal come from tests/factories.py;
records that write timeline events or open deadlines are better made through the services."""

from datetime import date

import factory

from procedures.models import Deadline, DeadlineStatus, Procedure, Stage
from tests.factories import CaseFactory, ParquetFactory


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    case = factory.SubFactory(CaseFactory)
    parquet = factory.SubFactory(ParquetFactory)
    parquet_reference = factory.Sequence(lambda n: f"24.{n:05d}")
    opened_on = date(2024, 4, 26)
    stage = Stage.ENQUETE


class DeadlineFactory(factory.django.DjangoModelFactory):
    """A deadline as the engine would have opened it (due date = computed date)."""

    class Meta:
        model = Deadline

    procedure = factory.SubFactory(ProcedureFactory)
    case = factory.LazyAttribute(lambda deadline: deadline.procedure.case)
    association = factory.LazyAttribute(lambda deadline: deadline.case.association)
    rule = "appeal_correctionnel"
    trigger_date = date(2025, 6, 2)
    due_on = date(2025, 6, 12)
    computed_due_on = factory.LazyAttribute(lambda deadline: deadline.due_on)
    status = DeadlineStatus.OPEN
