"""A real streaming replica, through Django and the router: reads inside replica_reads() go to the
replica, writes to the primary only; a replica that lags too far or is stopped leaves its reads to
the primary. The statistics, drill-down and export reads run on the read-only replica.

The test makes two small clusters of its own (initdb, then pg_basebackup -R), on free ports, as the
`postgres` user when run as root; the system's cluster is only read once (pg_dump of the test
database, for the project's schema). Both are stopped by their postmaster's pid at the end."""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import suppress
from datetime import date
from pathlib import Path

import psycopg
import pytest
from django.core.cache import cache
from django.db import DatabaseError, NotSupportedError, connections, router
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from cases.models import Platform
from config import db_router
from config.db_router import ReplicaRouter, replica_iterable, replica_reads
from config.health import healthz
from procedures.exports import procedure_rows
from procedures.models import Procedure
from reports.statistics.drilldown import procedure_drilldown
from reports.statistics.figures import StatisticsFilter, figures_for
from reports.statistics.models import StatisticsFact

PRIMARY, STANDBY = "replica_test_primary", "replica_test_standby"
DATABASE = "affaires"


def _bin(name: str) -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parent.parent.name))
    if not found:
        pytest.fail(f"{name} is missing: install the PostgreSQL server (apt-get install postgresql).")
    return found[-1]


def _as_postgres(args: list) -> list:
    # initdb and postgres refuse to run as root.
    if os.geteuid() == 0:
        runuser = shutil.which("runuser") or pytest.fail("runuser is missing (package util-linux).")
        return [runuser, "-u", "postgres", "--", *map(str, args)]
    return [str(arg) for arg in args]


def _run(args: list, **options) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False, **options)  # noqa: S603
    assert result.returncode == 0, f"{' '.join(map(str, args))}: {result.stderr or result.stdout}"
    return result.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(condition, what: str, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    pytest.fail(f"Waited {seconds:.0f} s for {what}.")


class Cluster:
    def __init__(self, directory: Path, name: str):
        self.data = directory / name
        self.log = directory / f"{name}.log"
        self.socket_dir = directory
        self.port = _free_port()
        self.pid: int | None = None

    def configure(self, **values) -> None:
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("".join(f"{name} = {value}\n" for name, value in values.items()))

    def start(self) -> None:
        _run(_as_postgres([_bin("pg_ctl"), "-D", self.data, "-l", self.log, "-w", "-t", "30", "start"]))
        self.pid = int((self.data / "postmaster.pid").read_text().splitlines()[0])

    def stop(self) -> None:
        if self.pid is None:
            return
        subprocess.run(  # noqa: S603
            _as_postgres([_bin("pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            timeout=30,
            check=False,
        )
        with suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)  # only if pg_ctl could not stop it
        self.pid = None

    def query(self, sql: str, params=()):
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=DATABASE, autocommit=True, connect_timeout=3
        ) as connection:
            return connection.execute(sql, params).fetchone()


@pytest.fixture(scope="module")
def clusters(django_db_setup):
    """(primary, standby): a primary with the test database's schema and reference data, and its
    streaming replica made by pg_basebackup -R."""
    directory = Path(tempfile.mkdtemp(prefix="coco-replica-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    primary, standby = Cluster(directory, "primary"), Cluster(directory, "standby")
    try:
        initdb = [_bin("initdb"), "-D", primary.data, "-U", "postgres", "-A", "trust", "-E", "UTF8"]
        _run(_as_postgres([*initdb, "--locale=C.UTF-8", "--no-sync"]))
        primary.configure(
            port=primary.port,
            listen_addresses="'127.0.0.1'",
            unix_socket_directories=f"'{directory}'",
            wal_level="replica",
            max_wal_senders=4,
            hot_standby="on",
            fsync="off",
            shared_buffers="32MB",
            max_connections=30,
        )
        with (primary.data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        primary.start()
        primary_url = ["-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"]
        _run([_bin("psql"), *primary_url, "-d", "postgres", "-c", f"CREATE DATABASE {DATABASE}"])
        # The project's schema and the reference data its migrations load, from the test database.
        test_database = connections["default"].settings_dict
        source = ["-h", test_database["HOST"] or "127.0.0.1", "-p", str(test_database["PORT"] or 5432)]
        source += ["-U", test_database["USER"] or "postgres", test_database["NAME"]]
        dump = subprocess.Popen(  # noqa: S603
            [_bin("pg_dump"), "--no-owner", "--no-privileges", *source],
            stdout=subprocess.PIPE,
            env={**os.environ, "PGPASSWORD": test_database["PASSWORD"] or ""},
        )
        _run([_bin("psql"), *primary_url, "-d", DATABASE, "-q", "-v", "ON_ERROR_STOP=1"], stdin=dump.stdout)
        assert dump.wait(timeout=60) == 0, "pg_dump of the test database failed"
        _run(
            _as_postgres([_bin("pg_basebackup"), *primary_url, "-D", standby.data, "-R", "-X", "stream", "-c", "fast"])
        )
        standby.configure(port=standby.port)
        standby.start()
        _wait(
            lambda: primary.query("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")[0],
            "the replica to stream",
        )
        yield primary, standby
    finally:
        standby.stop()
        primary.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def routed(clusters, settings, django_db_blocker):
    """Django aliases for both clusters, and the project's router between them. Not a django_db
    test: its transaction and its guard on other aliases would keep the primary's writes from ever
    being committed, hence replicated; the test database is not used."""
    primary, standby = clusters
    for alias, cluster in ((PRIMARY, primary), (STANDBY, standby)):
        connections.settings[alias] = {
            **connections.settings["default"],
            "NAME": DATABASE,
            "HOST": "127.0.0.1",
            "PORT": cluster.port,
            "USER": "postgres",
            "PASSWORD": "",
            "OPTIONS": {"connect_timeout": 3},
            "TEST": {"MIRROR": None, "NAME": None},
        }
    settings.DATABASE_ROUTERS = [ReplicaRouter(primary=PRIMARY, replica=STANDBY)]
    settings.DATABASE_REPLICA_MAX_LAG = 30
    db_router.forget_verdicts()
    cache.clear()
    with django_db_blocker.unblock():
        yield primary, standby
        db_router.forget_verdicts()
        for alias in (PRIMARY, STANDBY):
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]


def replayed(primary: Cluster, standby: Cluster) -> None:
    (flushed,) = primary.query("SELECT pg_current_wal_flush_lsn()::text")
    _wait(
        lambda: standby.query("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [flushed])[0],
        "the replica to replay the primary's writes",
    )


def health() -> dict:
    return json.loads(healthz(RequestFactory().get("/healthz")).content)


def platform_queries(queries) -> list[str]:
    return [query["sql"] for query in queries if "cases_platform" in query["sql"]]


def test_reads_in_a_block_go_to_the_replica_and_writes_to_the_primary_only(routed):
    primary, standby = routed
    with CaptureQueriesContext(connections[PRIMARY]) as on_primary:
        Platform.objects.create(name="plateforme-ecrite-au-primaire")
    assert any(q["sql"].startswith("INSERT") for q in on_primary.captured_queries)
    replayed(primary, standby)

    with (
        CaptureQueriesContext(connections[PRIMARY]) as on_primary,
        CaptureQueriesContext(connections[STANDBY]) as on_standby,
    ):
        with replica_reads():
            assert Platform.objects.filter(name="plateforme-ecrite-au-primaire").exists()
            # A write inside the block still goes to the primary.
            Platform.objects.create(name="plateforme-ecrite-dans-le-bloc")
        assert Platform.objects.filter(name="plateforme-ecrite-dans-le-bloc").exists()  # read-your-writes
    assert len(platform_queries(on_standby.captured_queries)) == 1
    assert [q.split()[0] for q in platform_queries(on_primary.captured_queries)] == ["INSERT", "SELECT"]

    # The replica holds the row only once it has replayed it, and refuses any write of its own.
    replayed(primary, standby)
    assert standby.query("SELECT count(*) FROM cases_platform WHERE name = 'plateforme-ecrite-dans-le-bloc'") == (1,)
    with pytest.raises(DatabaseError, match="read-only transaction"):
        Platform.objects.using(STANDBY).create(name="ecrite-sur-la-replique")


def test_statistics_drill_down_and_exports_read_on_the_read_only_replica(routed):
    primary, standby = routed
    replayed(primary, standby)
    filtered = StatisticsFilter(association_id=1, month_from=date(2024, 1, 1), category="procuring")
    with CaptureQueriesContext(connections[STANDBY]) as on_standby, replica_reads():
        assert figures_for(StatisticsFilter(association_id=1)).totals["procedures"] == 0
        assert figures_for(filtered).totals["procedures"] == 0
        assert list(procedure_drilldown(1, {"du": date(2024, 1, 1), "categorie": "procuring"})) == []
        assert router.db_for_read(StatisticsFact) == PRIMARY
    assert list(replica_iterable(procedure_rows(Procedure.objects.all()))) == []
    tables = " ".join(query["sql"] for query in on_standby.captured_queries)
    for table in ("reports_statistics_figure", "reports_statistics_run", "procedures_procedure"):
        assert f'"{table}"' in tables, table
    # The fact rows are UNLOGGED: a replica has none, so the figures are computed on the primary.
    assert "reports_statistics_fact" not in tables
    with pytest.raises(NotSupportedError, match="unlogged"):
        StatisticsFact.objects.using(STANDBY).exists()


def test_a_lagging_replica_falls_back_to_the_primary_then_serves_again(routed, settings, monkeypatch, caplog):
    primary, standby = routed
    monkeypatch.setattr(db_router, "CHECK_EVERY", 0.0)
    Platform.objects.create(name="avant-la-pause")
    replayed(primary, standby)
    standby.query("SELECT pg_wal_replay_pause()")
    try:
        _wait(lambda: standby.query("SELECT pg_get_wal_replay_pause_state() = 'paused'")[0], "replay to pause")
        time.sleep(1.5)
        Platform.objects.create(name="pendant-la-pause")

        # 1.5 s behind, within 30 s: still read, even without the newest row.
        with replica_reads():
            assert not Platform.objects.filter(name="pendant-la-pause").exists()
        settings.DATABASE_REPLICA_MAX_LAG = 1
        with CaptureQueriesContext(connections[PRIMARY]) as on_primary, replica_reads():
            assert Platform.objects.filter(name="pendant-la-pause").exists()
        assert platform_queries(on_primary.captured_queries)
        assert "inutilisable (retard de" in caplog.text
    finally:
        standby.query("SELECT pg_wal_replay_resume()")

    replayed(primary, standby)
    # Caught up, the replica serves again, although its last replayed transaction is older than
    # the maximum lag (an idle primary writes none). A background WAL record landing between the
    # two servers' answers can delay this by one probe.
    time.sleep(1.2)

    def served_by_replica():
        with CaptureQueriesContext(connections[STANDBY]) as on_standby, replica_reads():
            Platform.objects.filter(name="pendant-la-pause").exists()
        return platform_queries(on_standby.captured_queries)

    _wait(served_by_replica, "the replica to serve again", seconds=5)
    assert "de nouveau utilisée" in caplog.text


def test_a_stopped_replica_falls_back_to_the_primary(routed, caplog):
    primary, standby = routed
    # Its own row: a transactional test run earlier in the suite may have flushed the reference
    # data out of the test database the clusters were copied from.
    Platform.objects.get_or_create(name="plateforme-avant-l-arret")
    replayed(primary, standby)
    with replica_reads():
        assert Platform.objects.filter(name="plateforme-avant-l-arret").exists()
    assert db_router._verdicts[STANDBY].usable
    assert health()["replica"] == {"configured": True, "ok": True, "reason": None}

    standby.stop()
    try:
        # Within the seconds the verdict is kept: the dead connection is noticed at once.
        with CaptureQueriesContext(connections[PRIMARY]) as on_primary, replica_reads():
            assert Platform.objects.filter(name="plateforme-avant-l-arret").exists()
        assert platform_queries(on_primary.captured_queries)
        assert "inutilisable (connexion impossible)" in caplog.text
        # A fresh probe finds it down too, quickly (connection refused).
        db_router.forget_verdicts()
        started = time.monotonic()
        with replica_reads():
            assert Platform.objects.filter(name="plateforme-avant-l-arret").exists()
        assert time.monotonic() - started < 5
        assert "inutilisable (connexion impossible (OperationalError))" in caplog.text
        # Monitoring sees it: reads still work, the site is degraded, not down.
        body = health()
        assert body["replica"] == {"configured": True, "ok": False, "reason": "connexion impossible (OperationalError)"}
        assert body["status"] == "degraded"
    finally:
        standby.start()


@pytest.mark.django_db
def test_the_test_database_the_clusters_copy_holds_the_migrated_schema():
    """The clusters are loaded from a dump of the test database; this test (a django_db one) also
    makes pytest-django create that database when this module runs alone."""
    assert Procedure.objects.model._meta.db_table in connections["default"].introspection.table_names()
