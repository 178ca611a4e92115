"""The fan-out benchmark: TaskFlow against the seed's stack (Django Channels), same machine.

    .venv/bin/python bench/fanout.py            # every workload, report in bench/results/
    .venv/bin/python bench/fanout.py --quick    # a short run (the smoke test uses it)

W1 busy room (200 clients, 20 msg/s), W2 big room (500 clients, 20 msg/s), W3 saturation
(100 clients, rising rate: the highest with p99 under 100 ms), W4 idle sockets held and
memory per socket, W5 mention → badge latency (20 mentions/s), W6 the room page under wrk.
W1–W3 run against both; each message carries a sequence number and every client records
when each arrives."""

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import websockets
from stack import ROOT, TaskFlow, raise_file_limit

RESULTS = ROOT / "bench" / "results"
PEER = ROOT / "bench" / "peers" / "channels_chat"
PEER_VENV = ROOT / "bench" / "peers" / ".venv"
SEQ = re.compile(rb"seq-(\d+)<")


# -- the load generator --------------------------------------------------------------------


async def fanout(connect, clients: int, rate: float, seconds: float) -> dict:
    """`clients` sockets in one room; one of them sends `rate` messages a second for
    `seconds`; every socket records when each message arrives."""
    sockets = await connect_all(connect, clients)
    sent_at: dict[int, float] = {}
    latencies: list[float] = []
    received = 0

    async def listen(ws):
        nonlocal received
        async for frame in ws:
            now = time.monotonic()
            for match in SEQ.finditer(frame.encode() if isinstance(frame, str) else frame):
                seq = int(match.group(1))
                if seq in sent_at:
                    received += 1
                    latencies.append((now - sent_at[seq]) * 1000)

    listeners = [asyncio.create_task(listen(ws)) for ws in sockets]
    start = time.monotonic()
    count = 0
    while time.monotonic() - start < seconds:
        sent_at[count] = time.monotonic()
        await sockets[0].send(json.dumps({"content": f"seq-{count}", "HEADERS": {}}))
        count += 1
        await asyncio.sleep(max(0.0, start + count / rate - time.monotonic()))
    elapsed = time.monotonic() - start
    await asyncio.sleep(2)  # stragglers
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return summary(latencies, received, count * clients, elapsed, clients, rate)


async def connect_all(connect, count: int, batch: int = 25) -> list:
    """Open sockets a batch at a time (a crowd arriving, not one instant), retrying a
    refused handshake, so both servers are measured with every client in the room."""

    async def one(i):
        for attempt in range(5):
            try:
                return await connect(i)
            except (OSError, websockets.InvalidStatus, TimeoutError):
                await asyncio.sleep(0.5 * (attempt + 1))
        return await connect(i)

    sockets = []
    for start in range(0, count, batch):
        sockets += await asyncio.gather(*(one(i) for i in range(start, min(count, start + batch))))
    return sockets


def summary(latencies, received, expected, elapsed, clients, rate) -> dict:
    latencies.sort()

    def pct(p):
        return (
            round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)
            if latencies
            else None
        )

    return {
        "clients": clients,
        "rate": rate,
        "delivery_ratio": round(received / expected, 4),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": round(latencies[-1], 1) if latencies else None,
        "deliveries_per_s": round(received / elapsed),
    }


async def saturation(connect, clients: int, step_seconds: float, rates) -> dict:
    """W3: raise the rate until p99 passes 100 ms (or messages go missing)."""
    best, steps = None, []
    for rate in rates:
        result = await fanout(connect, clients, rate, step_seconds)
        steps.append(result)
        if result["p99_ms"] is None or result["p99_ms"] > 100 or result["delivery_ratio"] < 1:
            break
        best = result
    return {"best": best, "steps": steps}


# -- the two systems ---------------------------------------------------------------------


class TaskFlowTarget:
    name = "TaskFlow"

    def __init__(self, users: int) -> None:
        self.app = TaskFlow(users=users)
        self.cookies = [
            self.app.login(u["username"], u["password"]) for u in self.app.seed["users"]
        ]
        self.url = self.app.url.replace("http", "ws") + f"/ws/chat-room/{self.app.seed['room']}"

    async def connect(self, i: int, path: str | None = None):
        ws = await websockets.connect(
            path or self.url,
            origin=self.app.url,
            max_size=None,
            additional_headers={"Cookie": self.cookies[i % len(self.cookies)]},
            ping_interval=None,
            open_timeout=60,
        )
        await ws.recv()  # the first frame: the server follows the room from now on
        return ws

    def close(self) -> None:
        self.app.close()


class PeerTarget:
    name = "Django Channels"

    def __init__(self, port: int = 8800) -> None:
        from taskflow import stack as processes

        ensure_peer_venv()
        self.folder = tempfile.TemporaryDirectory(prefix="peer-bench-")
        self.redis = processes.start_redis(Path(self.folder.name))
        env = dict(
            os.environ,
            PEER_DB=f"{self.folder.name}/peer.db",
            PEER_REDIS=self.redis,
            DJANGO_SETTINGS_MODULE="peer_settings",
            PYTHONPATH=str(PEER),
        )
        python = str(PEER_VENV / "bin" / "python")
        subprocess.run(
            [python, "-m", "django", "migrate", "--run-syncdb", "-v", "0"],
            env=env,
            cwd=PEER,
            check=True,
        )
        self.process = subprocess.Popen(
            [
                str(PEER_VENV / "bin" / "daphne"),
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "peer_asgi:application",
            ],
            env=env,
            cwd=PEER,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"ws://127.0.0.1:{port}/ws/chat-room/1/"
        time.sleep(3)

    async def connect(self, i: int):
        return await websockets.connect(
            self.url, max_size=None, ping_interval=None, open_timeout=60
        )

    def close(self) -> None:
        from taskflow import stack as processes

        processes.stop(self.process)
        processes.stop_redis(Path(self.folder.name))
        self.folder.cleanup()


def ensure_peer_venv() -> None:
    if not (PEER_VENV / "bin" / "daphne").exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run(
            [str(PEER_VENV / "bin" / "pip"), "install", "-q", "-r", str(PEER / "requirements.txt")],
            check=True,
        )


# -- TaskFlow-only workloads ---------------------------------------------------------------


async def idle_capacity(target: TaskFlowTarget, sockets: int) -> dict:
    """W4: hold idle sockets; memory each costs the web process."""
    process = target.app.web_process()
    before = process.memory_info().rss
    held = await connect_all(target.connect, sockets, batch=200)
    await asyncio.sleep(2)
    after = process.memory_info().rss
    await asyncio.gather(*(ws.close() for ws in held), return_exceptions=True)
    return {
        "sockets": len(held),
        "rss_before_mb": round(before / 2**20, 1),
        "rss_after_mb": round(after / 2**20, 1),
        "kb_per_socket": round((after - before) / len(held) / 1024, 1),
    }


async def mention_latency(target: TaskFlowTarget, users: int, rate: float, seconds: float):
    """W5: from sending "@user" to that user's badge frame on /ws/notifications."""
    names = [u["username"] for u in target.app.seed["users"][1 : users + 1]]
    path = target.app.url.replace("http", "ws") + "/ws/notifications"
    badges = [await target.connect(i + 1, path) for i in range(len(names))]
    sender = await target.connect(0)
    pending: dict[int, float] = {}
    latencies: list[float] = []

    async def listen(i, ws):
        async for frame in ws:
            if "notification-badge" in frame and i in pending:
                latencies.append((time.monotonic() - pending.pop(i)) * 1000)

    tasks = [asyncio.create_task(listen(i, ws)) for i, ws in enumerate(badges)]
    start, count = time.monotonic(), 0
    while time.monotonic() - start < seconds:
        i = count % len(names)
        pending[i] = time.monotonic()
        await sender.send(json.dumps({"content": f"@{names[i]} ping", "HEADERS": {}}))
        count += 1
        await asyncio.sleep(max(0.0, start + count / rate - time.monotonic()))
    await asyncio.sleep(3)
    for task in tasks:
        task.cancel()
    result = summary(latencies, len(latencies), count, time.monotonic() - start, users, rate)
    result["mentions"] = count
    return result


def room_page(target: TaskFlowTarget, seconds: int) -> dict:
    """W6: the room page with 50 messages, under wrk (4 connections, 2 threads)."""
    url = f"{target.app.url}/rooms/{target.app.seed['room']}"
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c4",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Cookie: {target.cookies[0]}",
            url,
        ],
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    p99 = re.search(r"99%\s+([\d.]+)(\w+)", output)
    p99_ms = float(p99[1]) * {"us": 0.001, "ms": 1, "s": 1000}[p99[2]]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_s": rps,
        "p99_ms": round(p99_ms, 1),
        "errors": int(non2xx[1]) if non2xx else 0,
    }


# -- the run -------------------------------------------------------------------------------


async def run(args) -> dict:
    raise_file_limit()
    q = args.quick
    plan = {
        "W1": (20 if q else 200, 20),
        "W2": (30 if q else 500, 20),
    }
    seconds = 3 if q else 10
    rates = [50, 100] if q else [50, 100, 150, 200, 250, 300, 400]
    curve = [10, 30] if q else [50, 100, 200, 350, 500]
    report: dict = {"quick": q, "machine": machine()}
    for cls in (TaskFlowTarget, PeerTarget) if not args.taskflow_only else (TaskFlowTarget,):
        target = cls(users=50) if cls is TaskFlowTarget else cls()
        name = target.name
        try:
            report[name] = {}
            for workload, (clients, rate) in plan.items():
                report[name][workload] = await fanout(target.connect, clients, rate, seconds)
                save(report, stamp(args))
            report[name]["W3"] = await saturation(
                target.connect, 20 if q else 100, 2 if q else 5, rates
            )
            report[name]["curve"] = [
                await fanout(target.connect, c, 20, 2 if q else 5) for c in curve
            ]
            if cls is TaskFlowTarget:
                report[name]["W4"] = await idle_capacity(target, 100 if q else args.idle)
                report[name]["W5"] = await mention_latency(
                    target, 10 if q else 40, 20, 3 if q else 10
                )
                await seed_messages(target)
                report[name]["W6"] = room_page(target, 2 if q else 10)
        except Exception as error:  # a failed run is reported, not hidden
            report[name]["error"] = repr(error)
        finally:
            target.close()
            save(report, stamp(args))
    return report


def stamp(args) -> str:
    return "quick" if args.quick else args.stamp


def save(report: dict, name: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"fanout-{name}.json").write_text(json.dumps(report, indent=1))


async def seed_messages(target: TaskFlowTarget) -> None:
    """W6 reads a room page of 50 messages."""
    ws = await target.connect(0)
    for i in range(50):
        await ws.send(json.dumps({"content": f"page message {i}", "HEADERS": {}}))
    await asyncio.sleep(1)
    await ws.close()


def machine() -> dict:
    import platform

    import psutil

    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": psutil.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30),
        "python": platform.python_version(),
    }


def plot(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for name in ("TaskFlow", "Django Channels"):
        if "curve" in report.get(name, {}):
            curve = report[name]["curve"]
            clients = [r["clients"] for r in curve]
            ax.plot(clients, [r["p99_ms"] for r in curve], marker="o", label=f"{name} p99")
            ax.plot(
                clients,
                [r["p50_ms"] for r in curve],
                marker=".",
                linestyle="--",
                label=f"{name} p50",
            )
    ax.set_xlabel("clients in the room (20 messages/s)")
    ax.set_ylabel("send → receive latency (ms)")
    ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--taskflow-only", action="store_true")
    parser.add_argument("--idle", type=int, default=5000, help="W4 sockets")
    args = parser.parse_args()
    args.stamp = time.strftime("%Y%m%d-%H%M%S")
    report = asyncio.run(run(args))
    plot(report, RESULTS / f"latency-{stamp(args)}.png")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
