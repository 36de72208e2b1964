"""The read replica's router without a replica: its decisions, the verdict on the replica (kept a
few seconds, logged once), the settings, and which views read inside replica_reads(). The real
streaming replica is in test_replica.py."""

import json
import logging

import pytest
from django.apps import apps
from django.db import connections
from rest_framework.test import APIClient

from cases.models import ApiToken
from config import db_router
from config.db_router import ReplicaRouter, lag_problem, replica_iterable, replica_reads, replica_usable
from procedures.models import Procedure
from reports.statistics.models import StatisticsFact, StatisticsFigure
from tests.factories import CaseFactory
from tests.procedures.factories import DeadlineFactory, ProcedureFactory
from tests.test_settings import _django_setup

UNIT = "replica_unit"


@pytest.fixture
def verdicts(monkeypatch):
    """The replica is said usable or not by `verdicts.usable`; probes are counted."""

    class Verdicts:
        usable = True
        probes = 0

    def fake(replica, primary):
        Verdicts.probes += 1
        return Verdicts.usable

    monkeypatch.setattr(db_router, "replica_usable", fake)
    return Verdicts


def test_writes_always_go_to_the_primary(verdicts):
    router = ReplicaRouter()
    assert router.db_for_write(Procedure) == "default"
    with replica_reads():
        assert router.db_for_write(Procedure) == "default"
        assert router.db_for_read(Procedure) == "replica"


def test_reads_outside_a_block_stay_on_the_primary_without_asking_the_replica(verdicts):
    assert ReplicaRouter().db_for_read(Procedure) == "default"
    assert verdicts.probes == 0


def test_a_block_keeps_its_database_to_its_end(verdicts):
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Procedure) == "replica"
        verdicts.usable = False
        assert router.db_for_read(StatisticsFigure) == "replica"
        with replica_reads():  # nested: part of the outer block
            assert router.db_for_read(Procedure) == "replica"
    assert verdicts.probes == 1
    with replica_reads():
        assert router.db_for_read(Procedure) == "default"


def test_tables_a_replica_does_not_have_are_read_on_the_primary(verdicts):
    with replica_reads():
        assert ReplicaRouter().db_for_read(StatisticsFact) == "default"
        assert ReplicaRouter().db_for_read(Procedure) == "replica"


@pytest.mark.django_db
def test_every_unlogged_table_is_read_on_the_primary_only():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relpersistence = 'u' AND relkind IN ('r', 'p', 'm')")
        unlogged = {name for (name,) in cursor.fetchall()}
    labels = {model._meta.label for model in apps.get_models() if model._meta.db_table in unlogged}
    assert len(labels) == len(unlogged)
    assert labels == db_router.PRIMARY_ONLY


def test_an_unusable_replica_sends_the_blocks_reads_to_the_primary(verdicts):
    verdicts.usable = False
    with replica_reads():
        assert ReplicaRouter().db_for_read(Procedure) == "default"


@pytest.mark.django_db
def test_inside_a_transaction_of_the_primary_reads_stay_in_it(verdicts):
    # pytest-django runs this test inside a transaction of the primary, as a service would.
    with replica_reads():
        assert ReplicaRouter().db_for_read(Procedure) == "default"
    assert verdicts.probes == 0


def test_only_the_primary_is_migrated_and_relations_are_allowed():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "procedures") is True
    assert router.allow_migrate("replica", "procedures") is False
    assert router.allow_relation(object(), object()) is True


def test_a_streamed_iterable_is_read_inside_one_block_piece_by_piece(verdicts):
    router = ReplicaRouter()
    seen = []

    def rows():
        for number in range(3):
            seen.append(router.db_for_read(Procedure))
            yield number

    streamed = replica_iterable(rows())
    assert next(streamed) == 0
    # Between two pieces the caller reads from the primary, and the replica is not asked again.
    assert router.db_for_read(Procedure) == "default"
    verdicts.usable = False
    assert list(streamed) == [1, 2]
    assert seen == ["replica"] * 3
    assert verdicts.probes == 1


def test_the_verdict_on_lag():
    def problem(**state):
        return lag_problem(**{"in_recovery": True, "caught_up": False, "lag_seconds": 1.0, "max_lag": 30, **state})

    assert problem() == ""
    # Caught up with the primary's WAL: current, however old its last transaction (idle primary).
    assert problem(caught_up=True, lag_seconds=3600.0) == ""
    assert problem(lag_seconds=31.0) == "retard de 31 s (maximum 30 s)"
    assert problem(lag_seconds=None) == "aucune transaction rejouée depuis son démarrage"
    assert problem(in_recovery=False, caught_up=None) == (
        "n'est pas un serveur en attente (promu, ou le primaire lui-même)"
    )


@pytest.fixture
def unit_replica(monkeypatch):
    """An alias for a replica (never connected to: probe and connection check are stubbed)."""
    monkeypatch.setitem(connections.settings, UNIT, dict(connections.settings["default"]))
    db_router.forget_verdicts()
    clock = {"now": 1000.0}
    monkeypatch.setattr(db_router.time, "monotonic", lambda: clock["now"])
    state = {"problem": "", "probes": 0, "connected": True}

    def probe(replica, primary):
        state["probes"] += 1
        return state["problem"]

    monkeypatch.setattr(db_router, "probe", probe)
    monkeypatch.setattr(db_router, "_connected", lambda alias: state["connected"])
    yield state, clock
    db_router.forget_verdicts()


def test_the_verdict_is_kept_a_few_seconds_and_a_fall_back_is_logged_once(unit_replica, caplog):
    state, clock = unit_replica
    caplog.set_level(logging.INFO, logger="config.db_router")
    assert replica_usable(UNIT) is True
    assert replica_usable(UNIT) is True
    assert state["probes"] == 1

    state["problem"] = "retard de 40 s (maximum 30 s)"
    clock["now"] += db_router.CHECK_EVERY
    assert replica_usable(UNIT) is False
    clock["now"] += db_router.CHECK_EVERY
    assert replica_usable(UNIT) is False
    assert state["probes"] == 3
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        f"Réplique « {UNIT} » inutilisable (retard de 40 s (maximum 30 s)) : ses lectures passent au primaire."
    ]

    state["problem"] = ""
    clock["now"] += db_router.CHECK_EVERY
    assert replica_usable(UNIT) is True
    assert caplog.records[-1].getMessage() == f"Réplique « {UNIT} » de nouveau utilisée."


def test_a_replica_gone_since_the_last_verdict_is_noticed_without_waiting(unit_replica, caplog):
    state, clock = unit_replica
    assert replica_usable(UNIT) is True
    state["connected"] = False
    clock["now"] += 1
    assert replica_usable(UNIT) is False
    assert state["probes"] == 1
    assert "connexion impossible" in caplog.text


def test_without_a_replica_nothing_is_asked(monkeypatch):
    monkeypatch.setattr(db_router, "probe", lambda *args: pytest.fail("probed"))
    monkeypatch.delitem(connections.settings, "replica", raising=False)
    assert replica_usable() is False


def test_the_replica_url_adds_a_mirror_of_the_primary_in_tests():
    code = "from django.conf import settings; import json; print(json.dumps(settings.DATABASES['replica']))"
    result = _django_setup(
        code,
        DEBUG="1",
        DATABASE_URL="postgres://app:secret@primary.example:5432/affaires?sslmode=require",
        DATABASE_REPLICA_URL="postgres://app:secret@replica.example:5433/affaires",
    )
    assert result.returncode == 0, result.stderr
    replica = json.loads(result.stdout.strip().splitlines()[-1])
    assert (replica["HOST"], replica["PORT"], replica["NAME"]) == ("replica.example", 5433, "affaires")
    assert replica["OPTIONS"] == {"connect_timeout": 3, "sslmode": "require"}
    assert replica["TEST"]["MIRROR"] == "default"


def test_a_replica_url_that_is_not_postgresql_is_refused():
    result = _django_setup(DEBUG="1", DATABASE_REPLICA_URL="sqlite:////tmp/replica.sqlite3")
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL must point to PostgreSQL" in result.stderr


# --- Which views read inside replica_reads() --------------------------------------------------------


@pytest.fixture
def reads(monkeypatch):
    """(model label, inside a replica_reads() block) of every read the router is asked about."""
    seen = []
    original = ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        seen.append((model._meta.label, db_router._block.get() is not None))
        return original(self, model, **hints)

    monkeypatch.setattr(ReplicaRouter, "db_for_read", spy)
    return seen


@pytest.fixture
def procedure(association, owner):
    case = CaseFactory(association=association, reference="ACPE-T-REPL", lead_lawyer=owner)
    DeadlineFactory(procedure=ProcedureFactory(case=case), owner=owner)
    return case.procedures.get()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "model"),
    [
        ("/statistiques/", "statistics.StatisticsFigure"),
        ("/statistiques/?du=2024-01", "statistics.StatisticsRun"),
        ("/statistiques/export/parquet.csv?du=2024-01", "statistics.StatisticsRun"),
        ("/statistiques/procedures/?du=2024-01", "procedures.Procedure"),
        ("/procedures/export.csv", "procedures.Procedure"),
        ("/procedures/export.xlsx", "procedures.Procedure"),
        ("/delais/export.csv", "procedures.Deadline"),
    ],
)
def test_the_heavy_pages_read_their_rows_in_a_replica_block_and_rights_outside(
    client, owner, procedure, reads, url, model
):
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)
    assert (model, True) in reads
    # Who may see what is read on the primary, outside the block.
    assert ("cases.Membership", True) not in reads


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "model"),
    [
        ("/api/v1/statistics/summary", "statistics.StatisticsFigure"),
        ("/api/v1/procedures/export", "procedures.Procedure"),
    ],
)
def test_the_api_reads_figures_and_exports_in_a_replica_block(owner, procedure, reads, url, model):
    key = "coco_" + "r" * 40
    ApiToken.objects.create(user=owner, association=procedure.association, name="t", key_hash=ApiToken.hash(key))
    response = APIClient().get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)
    assert (model, True) in reads


@pytest.mark.django_db
def test_a_lawyers_own_pages_read_the_primary(client, owner, procedure, reads):
    client.force_login(owner)
    assert client.get(f"/affaires/{procedure.case_id}/").status_code == 200
    assert reads and not any(inside for _label, inside in reads)
