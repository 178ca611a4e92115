"""Start the whole app for one machine: embedded Redis, migrated database, web and worker.

`python -m taskflow.launcher` (what scripts/run calls). Ctrl-C stops everything it started.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from taskflow import embedded_redis
from taskflow.config import INSTANCE_DIR

HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main() -> int:
    env = dict(os.environ)
    started_redis = not env.get("REDIS_URL")
    if started_redis:
        env["REDIS_URL"] = embedded_redis.ensure_running(INSTANCE_DIR)
    bin_dir = Path(sys.executable).parent
    flask = [str(bin_dir / "flask"), "--app", "taskflow"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True)
    processes = [
        subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "-c",
                "gunicorn.conf.py",
                "-b",
                f"{HOST}:{PORT}",
                "wsgi:app",
            ],
            env=env,
        ),
        subprocess.Popen([*flask, "worker"], env=env),
    ]
    print(f"TaskFlow is running on http://{HOST}:{PORT} — press Ctrl-C to stop.", flush=True)
    try:
        signal.signal(signal.SIGTERM, _interrupt)
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if started_redis:
            embedded_redis.stop(INSTANCE_DIR)
        print("TaskFlow stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
