"""Starting TaskFlow: `scripts/run` (honcho on the Procfile) serves and stops cleanly, and
the embedded Redis is started by the processes that need it, never by create_app."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import requests

from taskflow import stack

from .conftest import SECRET, wait_until


def instance_env(instance: Path, **extra: str) -> dict[str, str]:
    """Our environment with the instance in `instance`: its SQLite file, its embedded Redis."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    return dict(env, TASKFLOW_INSTANCE=str(instance), SECRET_KEY=SECRET, **extra)


def embedded_answers(instance: Path) -> bool:
    return stack.redis_answers(f"unix://{instance / 'redis.sock'}")


def test_db_upgrade_starts_no_redis(tmp_path):
    try:
        result = stack.flask("db", "upgrade", env=instance_env(tmp_path))
        assert result.returncode == 0
        assert (tmp_path / "taskflow.db").exists()
        assert not embedded_answers(tmp_path)
        assert not (tmp_path / "redis.pid").exists()
    finally:
        if embedded_answers(tmp_path):  # what the old create_app left behind
            stack.stop_redis(tmp_path)


def test_the_worker_starts_the_embedded_redis_it_needs(tmp_path):
    env = instance_env(tmp_path)
    stack.flask("db", "upgrade", env=env)
    worker = stack.start_worker(env)  # returns once registered with RQ on the embedded Redis
    try:
        assert embedded_answers(tmp_path)
    finally:
        stack.stop(worker)
        stack.stop_redis(tmp_path)


def test_run_serves_and_ctrl_c_stops_web_worker_and_redis(tmp_path):
    port = stack.free_port()
    launcher = subprocess.Popen(
        [sys.executable, "-m", "taskflow.stack"],
        cwd=stack.ROOT,
        env=instance_env(tmp_path, PORT=str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: stack.healthy(url), timeout=60, interval=0.2, message="no /healthz")
        assert requests.get(f"{url}/healthz", timeout=5).json()["redis"] == "ok"
        assert requests.get(f"{url}/login", timeout=5).status_code == 200
        started = the_started(launcher, tmp_path)
        names = " ".join(" ".join(p.cmdline()) for p in started)
        assert "gunicorn" in names and "worker" in names and "redis-server" in names, names

        launcher.send_signal(signal.SIGINT)  # Ctrl-C
        assert launcher.wait(30) in (0, 130)
        wait_until(
            lambda: not [p for p in started if alive(p)],
            timeout=15,
            message="web, worker or Redis still running after Ctrl-C",
        )
        assert not embedded_answers(tmp_path)
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
        if embedded_answers(tmp_path):
            stack.stop_redis(tmp_path)


def the_started(launcher: subprocess.Popen, instance: Path) -> list[psutil.Process]:
    """Every process the launcher started: its descendants (web and its gunicorn worker, the
    RQ worker) and the embedded Redis, which daemonizes away from it."""

    def with_the_worker() -> list[psutil.Process]:
        found = psutil.Process(launcher.pid).children(recursive=True)
        return found if any("worker" in " ".join(p.cmdline()) for p in found) else []

    children = wait_until(with_the_worker, timeout=30, message="the worker did not start")
    redis_pid = int((instance / "redis.pid").read_text())
    return [*children, psutil.Process(redis_pid)]


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
