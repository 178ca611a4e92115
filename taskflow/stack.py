"""Start and stop TaskFlow's processes: the embedded Redis, the web server, the RQ worker.

Two users, one module:
- `python -m taskflow.stack` (what `scripts/run` calls) prepares the environment (the
  embedded Redis when REDIS_URL is unset, the migrations: the Procfile's `release` step),
  then hands the Procfile's `web` and `worker` to honcho. Ctrl-C stops them all; the
  embedded Redis is stopped after honcho returns.
- the tests and the benchmarks start live processes with `start_web` and `start_worker`,
  each of which returns only once its process answers, or fails at a deadline.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from taskflow import embedded_redis

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROCFILE = ROOT / "Procfile"


# -- waiting: every wait has a deadline and waits on a condition ---------------------------


def wait_until(
    predicate: Callable[[], Any], timeout: float = 10, interval: float = 0.05, message: str = ""
) -> Any:
    """Poll `predicate` until it returns something truthy (returned) or fail at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(message or f"not true within {timeout}s: {predicate.__name__}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the embedded Redis --------------------------------------------------------------------


def start_redis(folder: Path) -> str:
    """The embedded Redis of `folder` (started unless it answers already); returns its URL."""
    return embedded_redis.ensure_running(folder)


def stop_redis(folder: Path, timeout: float = 10) -> None:
    """Stop the embedded Redis of `folder` and wait until it no longer answers."""
    url = embedded_redis.socket_url(folder)
    embedded_redis.stop(folder)
    wait_until(lambda: not redis_answers(url), timeout, message=f"{url} still answers")


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


# -- web and worker ------------------------------------------------------------------------


def flask(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a `flask --app taskflow` command to its end (migrations, seeding); fails loudly."""
    return subprocess.run(
        [str(BIN / "flask"), "--app", "taskflow", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


def start_web(
    env: dict[str, str],
    port: int | None = None,
    log: IO | int | None = subprocess.DEVNULL,
    timeout: float = 30,
) -> tuple[subprocess.Popen, str]:
    """A gunicorn + gevent web process, as in production, on 127.0.0.1 (a free port unless
    given). Returns (process, base URL) once /healthz answers 200."""
    port = port or free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    _until_ready(process, lambda: healthy(url), f"the web server on {url}", timeout)
    return process, url


def _until_ready(process: subprocess.Popen, ready, name: str, timeout: float) -> None:
    """Wait until `ready()`, or fail (and stop the process) if it exits or the deadline
    passes first."""
    try:
        wait_until(
            lambda: process.poll() is not None or ready(),
            timeout,
            interval=0.1,
            message=f"{name} was not ready within {timeout}s",
        )
    except AssertionError:
        stop(process)
        raise
    if process.poll() is not None:
        raise RuntimeError(f"{name} exited with {process.returncode}")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_worker(
    env: dict[str, str], log: IO | int | None = subprocess.DEVNULL, timeout: float = 30
) -> subprocess.Popen:
    """A `flask worker` process (RQ, with the notification sweep). Returns once it is ready
    (worker_ready) on env's REDIS_URL and RQ_QUEUE (the embedded one when unset)."""
    process = subprocess.Popen(
        [str(BIN / "flask"), "--app", "taskflow", "worker"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    _until_ready(process, lambda: worker_ready(env, process.pid), "the RQ worker", timeout)
    return process


def worker_ready(env: dict[str, str], pid: int) -> bool:
    """The worker has registered with RQ and is past its start-up (idle or busy): its
    signal handlers are in place, so a SIGTERM now stops it cleanly (RQ installs them after
    registering: one sent in between kills it outright)."""
    from redis import Redis, RedisError
    from rq import Queue, Worker
    from rq.worker import WorkerStatus

    url = env.get("REDIS_URL") or embedded_redis.socket_url(_instance(env))
    try:
        queue = Queue(env.get("RQ_QUEUE", "taskflow"), connection=Redis.from_url(url))
        return any(
            w.pid == pid and w.get_state() in (WorkerStatus.IDLE, WorkerStatus.BUSY)
            for w in Worker.all(queue=queue)
        )
    except (RedisError, OSError):
        return False  # the worker starts the embedded Redis: it may not answer yet


def _instance(env: dict[str, str]) -> Path:
    from taskflow.config import instance_dir

    return Path(env["TASKFLOW_INSTANCE"]) if env.get("TASKFLOW_INSTANCE") else instance_dir()


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """Ask a process to stop (SIGTERM), then kill it at the deadline."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# -- scripts/run: honcho on the Procfile ---------------------------------------------------


def procfile_command(name: str) -> str:
    """A process's command as the Procfile names it (the one list of processes)."""
    from honcho.environ import parse_procfile

    return parse_procfile(PROCFILE.read_text()).processes[name]


def run_env(instance: Path) -> dict[str, str]:
    """The environment honcho's processes get: ours, the virtualenv's tools on PATH (the
    Procfile names bare `gunicorn` and `flask`), and where to listen."""
    env = dict(os.environ, TASKFLOW_INSTANCE=str(instance))
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    host, port = env.get("HOST", "127.0.0.1"), env.get("PORT", "8000")
    env.setdefault("BIND", f"{host}:{port}")  # honcho sets PORT per process; gunicorn reads BIND
    return env


def main() -> int:
    """Embedded Redis (unless REDIS_URL), release (migrations), then honcho: web and worker."""
    from honcho.command import main as honcho

    from taskflow.config import instance_dir

    instance = instance_dir()
    env = run_env(instance)
    embedded = not env.get("REDIS_URL")
    if embedded:
        env["REDIS_URL"] = start_redis(instance)
    try:
        # Through the shell, as honcho runs the others.
        subprocess.run(procfile_command("release"), shell=True, cwd=ROOT, env=env, check=True)
        print(f"TaskFlow starts on http://{env['BIND']} — press Ctrl-C to stop.", flush=True)
        os.environ.clear()
        os.environ.update(env)  # honcho hands its own environment to the processes
        os.chdir(ROOT)
        try:
            honcho(["start", "-f", str(PROCFILE), "web", "worker"])
        except SystemExit as done:  # honcho exits with the first process's return code
            return int(done.code or 0)
        return 0
    finally:
        if embedded:
            stop_redis(instance)
        print("TaskFlow stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
