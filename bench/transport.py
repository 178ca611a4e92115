"""The transport benchmark (issue 12): messages saved and published by one web process,
deliveries to a room at saturation, idle sockets, and many rooms with one channel per topic
against one channel for every event. The clients run on several processes (bench/loadgen.py).

    .venv/bin/python bench/transport.py [--quick] [--web N] [--database-url URL] [--loadgen P]

T1 save+publish: senders in several rooms, each as fast as acknowledged (its own message
   coming back over its socket), 20 in flight: messages/s of the process.
T2 saturation: 100 clients in one room, one sender at a rising rate: the best
   deliveries/s with p99 under 100 ms.
T3 idle sockets: RSS of the web process per idle socket (10,000; --quick 200; --sockets N).
T4 many rooms: 1,000 rooms × 5 clients, one message per room per second (--quick 50 rooms),
   with Redis and web process CPU, for BROADCAST_CHANNELS=topic and =single.

Writes bench/results/transport[-quick].json; progress on stderr."""

import argparse
import json
import sys
import time

import psutil
from figures import figure
from loadgen import Client, run
from stack import ROOT, TaskFlow

RESULTS = ROOT / "bench" / "results"
# The figures of today (one web process, SQLite).
BEFORE = {
    "messages_per_s": 385,
    "saturation_deliveries_per_s": 29_700,
    "saturation_p99_ms": 94,
    "idle_kb_per_socket": 66,
}


def progress(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


class Stack:
    """A TaskFlow stack and its logged-in clients' cookies."""

    def __init__(self, users: int, rooms: int, **env) -> None:
        self.app = TaskFlow(users=users, rooms=rooms, worker=False, **env)
        users = self.app.seed["users"]
        self.cookies = [self.app.login(u["username"], u["password"]) for u in users]
        self.base = self.app.url.replace("http", "ws")

    def client(self, i: int, room: int, **sending) -> Client:
        return Client(
            f"{self.base}/ws/chat-room/{room}",
            self.cookies[i % len(self.cookies)],
            self.app.url,
            **sending,
        )

    def close(self) -> None:
        self.app.close()


class CPU:
    """CPU seconds of some processes over a window, as a share of one core."""

    def __init__(self, processes: list[psutil.Process]) -> None:
        self.processes = processes
        self.start = time.monotonic()
        self.before = [self._used(p) for p in processes]

    @staticmethod
    def _used(process: psutil.Process) -> float:
        times = process.cpu_times()
        return times.user + times.system

    def share(self) -> float:
        wall = time.monotonic() - self.start
        used = sum(self._used(p) - b for p, b in zip(self.processes, self.before, strict=True))
        return round(used / wall, 3)


def save_and_publish(stack: Stack, rooms: int, seconds: float, processes) -> dict:
    """T1: one sender per room, each as fast as acknowledged (20 in flight)."""
    ids = [stack.app.seed["room"], *stack.app.seed["rooms"]][:rooms]
    clients = [stack.client(i, room, window=20) for i, room in enumerate(ids)]
    cpu = CPU(stack.app.web_processes())
    result = run(clients, seconds, processes)
    result["web_cpu_cores"] = cpu.share()
    result["messages_per_s"] = round(result["acked"] / seconds)
    used = cpu.share() * (time.monotonic() - cpu.start)
    result["web_cpu_ms_per_message"] = round(used / max(result["acked"], 1) * 1000, 3)
    result["messages_per_s_target"] = 1000
    result["messages_per_s_before"] = BEFORE["messages_per_s"]
    return result


def saturation(stack: Stack, clients: int, rates: list[int], seconds: float, processes) -> dict:
    """T2: 100 clients in one room; the sender's rate rises until p99 passes 100 ms."""
    room = stack.app.seed["room"]
    best, steps = None, []
    for rate in rates:
        members = [stack.client(i, room, rate=rate if i == 0 else 0) for i in range(clients)]
        cpu = CPU(stack.app.web_processes())
        step = run(members, seconds, processes)
        step["web_cpu_cores"] = cpu.share()
        step["rate"] = rate
        expected = step["sent"] * step["connected"]
        step["delivery_ratio"] = round(step["received"] / expected, 4) if expected else 0
        step["deliveries_per_s"] = round(step["received"] / seconds)
        steps.append(step)
        progress(f"  rate {rate}: {step['deliveries_per_s']}/s p99 {step['p99_ms']} ms")
        if step["p99_ms"] is None or step["p99_ms"] > 100 or step["delivery_ratio"] < 0.999:
            break
        best = step
    return {
        "clients": clients,
        "best_deliveries_per_s": best["deliveries_per_s"] if best else 0,
        "best_p99_ms": best["p99_ms"] if best else None,
        "target_deliveries_per_s": 60_000,
        "target_p99_ms": 100,
        "before_deliveries_per_s": BEFORE["saturation_deliveries_per_s"],
        "before_p99_ms": BEFORE["saturation_p99_ms"],
        "steps": steps,
    }


def idle_sockets(stack: Stack, count: int, processes) -> dict:
    """T3: RSS of the web process per idle socket (held for the run's length)."""
    web = stack.app.web_processes()
    before = sum(p.memory_info().rss for p in web)
    room = stack.app.seed["room"]
    clients = [stack.client(i, room) for i in range(count)]
    held: dict = {}

    # The run holds the sockets open for `seconds`; RSS is read while they are open.
    import threading

    def sample() -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not held.get("done"):
            held["rss"] = max(held.get("rss", 0), sum(p.memory_info().rss for p in web))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result = run(clients, 4.0, processes)
    held["done"] = True
    sampler.join(5)
    after = held.get("rss", before)
    connected = max(result["connected"], 1)
    return {
        "sockets": result["connected"],
        "failed": result["failed_connections"],
        "rss_before_mb": round(before / 2**20, 1),
        "rss_after_mb": round(after / 2**20, 1),
        "kb_per_socket": round((after - before) / connected / 1024, 1),
        "kb_per_socket_target": 40,
        "kb_per_socket_before": BEFORE["idle_kb_per_socket"],
        "loadgen_machine_share": result["loadgen_machine_share"],
    }


def many_rooms(stack: Stack, rooms: int, per_room: int, seconds: float, processes) -> dict:
    """T4: `rooms` rooms of `per_room` clients; one of each sends one message a second."""
    ids = [stack.app.seed["room"], *stack.app.seed["rooms"]][:rooms]
    clients = [
        stack.client(r * per_room + k, room, rate=1.0 if k == 0 else 0)
        for r, room in enumerate(ids)
        for k in range(per_room)
    ]
    web, redis_cpu = CPU(stack.app.web_processes()), CPU([stack.app.redis_process()])
    result = run(clients, seconds, processes)
    result["web_cpu_cores"] = web.share()
    result["redis_cpu_cores"] = redis_cpu.share()
    result["rooms"] = len(ids)
    expected = result["sent"] * per_room
    result["delivery_ratio"] = round(result["received"] / expected, 4) if expected else 0
    return result


def as_figures(report: dict) -> list[dict]:
    """The report's figures in bench/run.py's shape, each beside its target and before."""
    rows = []
    if "T1" in report:
        rate = report["T1"]["messages_per_s"]
        rows += [
            figure(
                "messages saved and published per second, one process",
                rate,
                "/s",
                "≥ 1,000",
                "≈ 385",
                rate >= 1000,
            ),
            figure(
                "web CPU per message", report["T1"]["web_cpu_ms_per_message"], "ms", before="≈ 5 ms"
            ),
        ]
    if "T2" in report:
        t2 = report["T2"]
        best = t2["best_deliveries_per_s"]
        rows += [
            figure(
                f"{t2['clients']} clients in one room: deliveries/s with p99 < 100 ms",
                best,
                "/s",
                "≥ 60,000",
                "29,700 (p99 94 ms)",
                best >= 60_000,
            ),
            figure("… its p99", t2["best_p99_ms"], "ms", "< 100 ms", "94 ms"),
        ]
    if "T3" in report:
        t3 = report["T3"]
        rows += [
            figure(
                f"idle sockets held ({t3['sockets']:,}): KB each",
                t3["kb_per_socket"],
                "KB",
                "≤ 40 KB (10,000)",
                "65–67 KB (3,000–5,000)",
                t3["kb_per_socket"] <= 40,
            ),
        ]
    for design, t4 in report.get("T4", {}).items():
        name = f"{t4['rooms']:,} rooms × 5 clients, 1 msg/room/s, {design} channels"
        rows += [
            figure(f"{name}: delivered", t4["delivery_ratio"], ""),
            figure(f"{name}: p99", t4.get("p99_ms"), "ms"),
            figure(f"{name}: web CPU", t4["web_cpu_cores"], "cores"),
            figure(f"{name}: Redis CPU", t4["redis_cpu_cores"], "cores"),
        ]
    shares = [
        part.get("loadgen_machine_share")
        for part in report.values()
        if isinstance(part, dict) and part.get("loadgen_machine_share") is not None
    ]
    if shares:
        rows.append(figure("load generator's share of the machine, max", max(shares), ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--web", type=int, default=1, help="web processes (WEB_CONCURRENCY)")
    parser.add_argument("--database-url", help="DATABASE_URL (default: a fresh SQLite file)")
    parser.add_argument("--loadgen", type=int, default=None, help="load-generator processes")
    parser.add_argument("--only", help="comma-separated: T1,T2,T3,T4")
    parser.add_argument("--sockets", type=int, help="T3's idle sockets (default 10,000; quick 200)")
    args = parser.parse_args()
    q = args.quick
    only = set(args.only.split(",")) if args.only else {"T1", "T2", "T3", "T4"}
    env = {"WEB_CONCURRENCY": str(args.web)}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    rooms = 50 if q else 1000
    seconds = 3 if q else 10
    report: dict = {
        "quick": q,
        "web_processes": args.web,
        "database": "postgresql" if args.database_url else "sqlite",
        "cores": psutil.cpu_count(),
        "before": BEFORE,
    }
    name = "transport-quick" if q else "transport"

    def save() -> None:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=1))

    for design in ("topic", "single"):
        if design == "single" and "T4" not in only:
            break
        progress(f"stack: BROADCAST_CHANNELS={design}")
        stack = Stack(users=50, rooms=rooms - 1, BROADCAST_CHANNELS=design, **env)
        try:
            if design == "topic":
                if "T1" in only:
                    progress("T1 save+publish")
                    report["T1"] = save_and_publish(stack, 4 if q else 8, seconds, args.loadgen)
                    save()
                if "T2" in only:
                    progress("T2 saturation")
                    rates = [50, 150] if q else [200, 300, 400, 500, 600, 700, 800]
                    report["T2"] = saturation(
                        stack, 20 if q else 100, rates, 2 if q else 5, args.loadgen
                    )
                    save()
                if "T3" in only:
                    progress("T3 idle sockets")
                    sockets = args.sockets or (200 if q else 10_000)
                    report["T3"] = idle_sockets(stack, sockets, args.loadgen)
                    save()
            if "T4" in only:
                progress(f"T4 many rooms ({design})")
                report.setdefault("T4", {})[design] = many_rooms(
                    stack, rooms, 5, seconds, args.loadgen
                )
                save()
        except Exception as error:  # a failed run is reported, not hidden
            report.setdefault("errors", []).append(f"{design}: {error!r}")
            save()
        finally:
            stack.close()
    report["figures"] = as_figures(report)
    save()
    progress(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
