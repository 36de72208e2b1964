"""Real processes for the fault tests: Celery workers, a Redis server and a PostgreSQL cluster of
their own. Each is started here and stopped by its pid (its process group for a worker and its
children); nothing the machine was already running is touched."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout: float, step: float = 0.2, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    if not condition():
        raise AssertionError(message() if callable(message) else message or "condition jamais remplie")


def database_url_of_tests() -> str:
    """The database pytest-django made for this run, as a URL a subprocess can use."""
    settings = connection.settings_dict
    return f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


class Worker:
    """`celery -A config worker` in its own process group, on the given broker and database."""

    def __init__(self, *, broker: str, database: str, media: Path, queues: str, log: Path, concurrency=2, env=None):
        self.log = log
        command = [
            str(VENV_BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            f"--queues={queues}",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            f"--hostname=faults-{os.getpid()}-{free_port()}@%h",
        ]
        environment = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": database,
            "CELERY_BROKER_URL": broker,
            "CELERY_RESULT_BACKEND": broker,
            "MEDIA_ROOT": str(media),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.output = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - our own venv's celery
            command, cwd=ROOT, env=environment, stdout=self.output, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_until(
            lambda: "ready." in log.read_text(errors="replace") or self.process.poll() is not None,
            timeout=60,
            message=lambda: f"le worker n'a pas démarré :\n{log.read_text(errors='replace')[-3000:]}",
        )
        assert self.process.poll() is None, log.read_text(errors="replace")[-3000:]

    def children(self) -> list[int]:
        found = subprocess.run(  # noqa: S603
            ["/usr/bin/pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in found.stdout.split()]

    def kill(self) -> None:
        """kill -9 of the worker and its pool processes, as the OOM killer or a power cut would."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        self.process.wait(timeout=30)
        self.output.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
            except ProcessLookupError:
                pass
        if not self.output.closed:
            self.output.close()


class RedisServer:
    """A Redis of our own on a free port, keeping nothing on disk (as the machine's): a restart
    loses every queued message."""

    def __init__(self):
        binary = shutil.which("redis-server")
        assert binary, "redis-server est introuvable : installez le paquet Debian redis-server."
        self.binary = binary
        self.port = free_port()
        self.process = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self._answers, timeout=20, message="Redis n'a pas démarré")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


class PostgresCluster:
    """A PostgreSQL cluster of our own (initdb in a temporary folder, a free port), run by the
    `postgres` system user: the machine's server is never restarted."""

    def __init__(self):
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        assert found, "pg_ctl est introuvable : installez le paquet Debian postgresql."
        self.bin = found[-1].parent
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="coco-pg-"))
        shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self._as_postgres(self.bin / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def _as_postgres(self, *command) -> subprocess.CompletedProcess:
        done = subprocess.run(  # noqa: S603
            ["/usr/sbin/runuser", "-u", "postgres", "--", *map(str, command)],
            capture_output=True,
            text=True,
            check=False,
            cwd=self.folder,
        )
        assert done.returncode == 0, f"{command[0]} : {done.stdout}\n{done.stderr}"
        return done

    def _ctl(self, action: str, *extra) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(self.bin / "pg_ctl", action, "-D", self.data, "-l", self.log, "-w", "-o", options, *extra)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        """A restart as an upgrade or a crash recovery does it: every connection is cut."""
        self._ctl("restart", "-m", "fast")

    def copy_database(self, source_url: str, name: str) -> None:
        """The test database (schema and rows) copied into a new database of this cluster."""
        self._as_postgres(self.bin / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", name)
        dump = subprocess.run(  # noqa: S603
            [str(self.bin / "pg_dump"), "--no-owner", "--format=custom", source_url],
            capture_output=True,
            check=True,
        )
        restored = subprocess.run(  # noqa: S603
            [str(self.bin / "pg_restore"), "--no-owner", "--exit-on-error", "-d", self.url(name)],
            input=dump.stdout,
            capture_output=True,
            check=False,
        )
        assert restored.returncode == 0, restored.stderr.decode()[-2000:]

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._as_postgres(self.bin / "pg_ctl", "stop", "-D", self.data, "-m", "immediate", "-w")
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def celery_on(broker_url: str):
    """The test process's Celery app sends to `broker_url` (not eagerly) for the duration."""
    from config.celery import app
    from tests.conftest import _reset_celery_connections

    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=broker_url, result_backend=broker_url, task_always_eager=False)
    _reset_celery_connections(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        _reset_celery_connections(app)
