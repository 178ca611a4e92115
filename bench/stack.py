"""TaskFlow as in production, for the benchmarks: gunicorn with the gevent worker (one web
process), the RQ worker, an embedded Redis and a fresh SQLite database (or DATABASE_URL),
all in a temporary folder, seeded with `flask --app taskflow bench-seed`."""

import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def raise_file_limit() -> None:
    """Thousands of sockets need thousands of file descriptors (children inherit this)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class TaskFlow:
    def __init__(self, users: int, port: int | None = None, worker: bool = True, **env) -> None:
        raise_file_limit()
        # BENCH_PORT lets the smoke tests pick a free port; 8700 by hand.
        port = port or int(os.environ.get("BENCH_PORT", "8700"))
        self.folder = tempfile.TemporaryDirectory(prefix="taskflow-bench-")
        self.env = dict(
            os.environ,
            TASKFLOW_INSTANCE=self.folder.name,
            SECRET_KEY="bench-only-secret-key-of-at-least-32-characters",
            MESSAGE_RATE_LIMIT="100000 per second",
            LOGIN_LIMIT_PER_IP="100000 per minute",
            SOCKETS_PER_USER="100000",  # thousands of sockets from a few dozen users
            WORKER_CONNECTIONS="20000",
            **env,
        )
        self.env.pop("REDIS_URL", None)
        self.url = f"http://127.0.0.1:{port}"
        flask = [str(BIN / "flask"), "--app", "taskflow"]
        self._run([*flask, "db", "upgrade"])
        seed = Path(self.folder.name) / "seed.json"
        self._run([*flask, "bench-seed", "--users", str(users), "--out", str(seed)])
        self.seed = json.loads(seed.read_text())
        self.processes = [
            subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "-c",
                    "gunicorn.conf.py",
                    "-b",
                    f"127.0.0.1:{port}",
                    "wsgi:app",
                ],
                cwd=ROOT,
                env=self.env,
                stderr=subprocess.DEVNULL,
            )
        ]
        if worker:
            self.processes.append(
                subprocess.Popen(
                    [*flask, "worker"],
                    cwd=ROOT,
                    env=self.env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        self._wait()

    def _run(self, command: list[str]) -> None:
        subprocess.run(command, cwd=ROOT, env=self.env, check=True, capture_output=True)

    def _wait(self) -> None:
        for _ in range(200):
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).ok:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise SystemExit("TaskFlow did not start")

    def web_process(self) -> psutil.Process:
        """The gunicorn worker that serves the sockets (the master only forks it)."""
        return psutil.Process(self.processes[0].pid).children()[0]

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
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        from taskflow import embedded_redis

        embedded_redis.stop(Path(self.folder.name))
        self.folder.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
