"""TaskFlow as in production, for the benchmarks: gunicorn with the gevent worker (one web
process), the RQ worker, an embedded Redis and a fresh SQLite database (or DATABASE_URL),
all in a temporary folder, seeded with `flask --app taskflow bench-seed`. The processes are
started by taskflow/stack.py, as for the tests and `scripts/run`."""

import json
import os
import re
import resource
import subprocess
import tempfile
from pathlib import Path

import psutil
import psycopg
import requests

from taskflow import stack as processes

ROOT = processes.ROOT


def raise_file_limit() -> None:
    """Thousands of sockets need thousands of file descriptors (children inherit this)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class TaskFlow:
    def __init__(
        self,
        users: int,
        port: int | None = None,
        worker: bool = True,
        rooms: int = 0,
        seed_args: tuple[str, ...] = (),
        **env,
    ) -> None:
        raise_file_limit()
        # BENCH_PORT lets the smoke tests pick a free port; 8700 by hand.
        port = port or int(os.environ.get("BENCH_PORT", "8700"))
        self.folder = tempfile.TemporaryDirectory(prefix="taskflow-bench-")
        folder = Path(self.folder.name)
        # `env` overrides any of these (bench/neighbour.py keeps the default message limit).
        self.env = {
            **os.environ,
            "TASKFLOW_INSTANCE": self.folder.name,
            "REDIS_URL": processes.start_redis(folder),
            "SECRET_KEY": "bench-only-secret-key-of-at-least-32-characters",
            "MESSAGE_RATE_LIMIT": "100000 per second",
            "BOARD_EDIT_RATE_LIMIT": "100000 per second",
            "LOGIN_LIMIT_PER_IP": "100000 per minute",
            "SOCKETS_PER_USER": "100000",  # thousands of sockets from a few dozen users
            "WORKER_CONNECTIONS": "20000",
            # One web process unless asked (--web N): the figures are per process.
            "WEB_CONCURRENCY": "1",
            **env,
        }
        self.processes: list[subprocess.Popen] = []
        self.database = FreshDatabase(self.env.get("DATABASE_URL", ""))
        try:
            if self.database.url:
                self.env["DATABASE_URL"] = self.database.url
            processes.flask("db", "upgrade", env=self.env)
            seed = folder / "seed.json"
            processes.flask(
                "bench-seed",
                *("--users", str(users), "--rooms", str(rooms), "--out", str(seed)),
                *seed_args,
                env=self.env,
            )
            self.seed = json.loads(seed.read_text())
            web, self.url = processes.start_web(self.env, port=port, log=self.web_log())
            self.processes.append(web)
            if worker:
                self.processes.append(processes.start_worker(self.env))
        except BaseException:
            self.close()
            raise

    def web_log(self):
        """Where the web processes write their log: BENCH_WEB_LOG names a file (appended to),
        to see why a run failed; by default, nowhere."""
        path = os.environ.get("BENCH_WEB_LOG")
        return open(path, "a") if path else subprocess.DEVNULL  # noqa: SIM115

    def web_process(self) -> psutil.Process:
        """The gunicorn worker that serves the sockets (the master only forks it)."""
        return self.web_processes()[0]

    def web_processes(self) -> list[psutil.Process]:
        """Every gunicorn worker (WEB_CONCURRENCY of them)."""
        return psutil.Process(self.processes[0].pid).children()

    def redis_process(self) -> psutil.Process:
        """The embedded redis-server."""
        return psutil.Process(int((Path(self.folder.name) / "redis.pid").read_text()))

    def login(self, username: str, password: str) -> str:
        """Log in through the form with its CSRF token, as a browser does; returns the
        Cookie header for the socket."""
        session = requests.Session()
        page = session.get(f"{self.url}/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
        response = session.post(
            f"{self.url}/login",
            allow_redirects=False,
            data={"username": username, "password": password, "csrf_token": token},
        )
        assert response.status_code == 302, response.status_code
        return "; ".join(f"{c.name}={c.value}" for c in session.cookies)

    def close(self) -> None:
        for process in self.processes:
            processes.stop(process)
        processes.stop_redis(Path(self.folder.name))
        self.database.drop()
        self.folder.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class FreshDatabase:
    """A benchmark on PostgreSQL gets a database of its own, created empty on the server that
    DATABASE_URL names and dropped afterwards (SQLite needs nothing: the temporary folder
    holds it)."""

    def __init__(self, url: str) -> None:
        self.url = ""
        if not url.startswith("postgresql"):
            return
        base, _, _ = url.rpartition("/")
        self.name = f"taskflow_bench_{os.getpid()}"
        self.server = f"{base}/postgres"
        self._run(f"DROP DATABASE IF EXISTS {self.name}", f"CREATE DATABASE {self.name}")
        self.url = f"{base}/{self.name}"

    def drop(self) -> None:
        if self.url:
            self._run(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")

    def _run(self, *statements: str) -> None:
        with psycopg.connect(self.server, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)
