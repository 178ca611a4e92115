"""The load generator, on several processes, so that it is not what limits the figures.

Each process owns a share of the clients: it opens their sockets, waits for the common start,
sends what its senders send and records what its clients receive, then hands its counts and
latencies back. A message carries its sender, its number and when it was sent
("m<client>x<n>x<monotonic ns>", followed in the page's HTML by "</div>"): CLOCK_MONOTONIC
is the same for every process of the machine, so any process measures the latency of any
message. CPU time of the load-generator processes is reported beside the figures."""

import asyncio
import json
import multiprocessing
import os
import re
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field

import psutil
import websockets

MARK = re.compile(rb"m(\d+)x(\d+)x(\d+)<")
GRACE = 2.0  # seconds after the last send for stragglers


@dataclass
class Client:
    """One socket: where, as whom, and what it sends (rate > 0: that many messages a second;
    window > 0: as fast as acknowledged, with that many in flight)."""

    url: str
    cookie: str
    origin: str
    rate: float = 0.0
    window: int = 0
    client_ids: bool = False  # send a client id with each message, as the page's outbox does


@dataclass
class Result:
    sent: int = 0
    received: int = 0  # frames carrying a message of this run, over all clients
    acked: int = 0  # senders' own messages come back to them (closed loop)
    connected: int = 0
    failed: int = 0
    latencies: array = field(default_factory=lambda: array("f"))  # ms
    per_message: Counter = field(default_factory=Counter)  # (sender, n) → deliveries


def run(clients: list[Client], seconds: float, processes: int | None = None) -> dict:
    """Run `clients` for `seconds` on `processes` processes (default: the cores) and return
    the merged figures, with the load generator's CPU use."""
    processes = max(1, min(processes or os.cpu_count() or 1, len(clients)))
    context = multiprocessing.get_context("spawn")  # no copy of the parent's sockets
    pipes, children = [], []
    for p in range(processes):
        share = [(i, c) for i, c in enumerate(clients) if i % processes == p]
        parent, child = context.Pipe()
        process = context.Process(target=_child, args=(child, share, seconds), daemon=True)
        process.start()
        pipes.append(parent)
        children.append(process)
    try:
        ready = [pipe.recv() for pipe in pipes]  # each: sockets opened
        start = time.monotonic() + 0.5
        cpu = [psutil.Process(c.pid).cpu_times() for c in children]
        for pipe in pipes:
            pipe.send(start)
        results = [pipe.recv() for pipe in pipes]
        used = sum(
            (after.user + after.system) - (before.user + before.system)
            for before, after in zip(
                cpu, [psutil.Process(c.pid).cpu_times() for c in children], strict=True
            )
        )
    finally:
        for process in children:
            process.join(10)
            if process.is_alive():
                process.kill()
    return merge(results, ready, seconds, used, processes)


def merge(results: list[Result], ready: list[int], seconds, cpu: float, processes) -> dict:
    latencies = sorted(x for r in results for x in r.latencies)

    def pct(p: float):
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)

    sent = sum(r.sent for r in results)
    per_message = sum((r.per_message for r in results), Counter())
    fewest = sorted(per_message.items(), key=lambda item: item[1])[:5]
    wall = seconds + GRACE
    return {
        "connected": sum(ready),
        "failed_connections": sum(r.failed for r in results),
        "sent": sent,
        "received": sum(r.received for r in results),
        "acked": sum(r.acked for r in results),
        "fewest_deliveries": [[*key, count] for key, count in fewest],  # (sender, n, count)
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": round(latencies[-1], 1) if latencies else None,
        "loadgen_processes": processes,
        "loadgen_cpu_s": round(cpu, 2),
        # Of the whole machine, over the run (sends and grace): 1.0 = every core busy.
        "loadgen_machine_share": round(cpu / wall / (os.cpu_count() or 1), 3),
    }


def _child(pipe, share: list[tuple[int, Client]], seconds: float) -> None:
    result = asyncio.run(_clients(pipe, share, seconds))
    pipe.send(result)


async def _clients(pipe, share: list[tuple[int, Client]], seconds: float) -> Result:
    result = Result()
    sockets = await _connect(share, result)
    pipe.send(len([s for s in sockets if s is not None]))
    start = await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
    await asyncio.sleep(max(0.0, start - time.monotonic()))
    end = start + seconds
    windows = {i: asyncio.Semaphore(c.window) for i, c in share if c.window}
    listeners = [
        asyncio.create_task(_listen(i, ws, result, windows.get(i)))
        for (i, _), ws in zip(share, sockets, strict=True)
        if ws is not None
    ]
    senders = [
        asyncio.create_task(_send(i, c, ws, end, result, windows.get(i)))
        for (i, c), ws in zip(share, sockets, strict=True)
        if ws is not None and (c.rate or c.window)
    ]
    await asyncio.gather(*senders)
    await asyncio.sleep(max(0.0, end - time.monotonic()) + GRACE)  # listeners-only too
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets if ws), return_exceptions=True)
    return result


def open_socket(url: str, origin: str, cookie: str, timeout: float = 60):
    """A socket as a logged-in page opens it: its Origin and session cookie, no pings (the
    server sends them), no size limit (a catch-up may be large)."""
    return websockets.connect(
        url,
        origin=origin,
        max_size=None,
        additional_headers={"Cookie": cookie},
        ping_interval=None,
        open_timeout=timeout,
    )


async def _connect(share, result: Result, batch: int = 50) -> list:
    async def one(client: Client):
        for attempt in range(6):
            try:
                ws = await open_socket(client.url, client.origin, client.cookie)
                await ws.recv()  # the first frame: the server follows the room from now on
                result.connected += 1
                return ws
            except (OSError, websockets.InvalidStatus, TimeoutError):
                await asyncio.sleep(0.5 * (attempt + 1))
        result.failed += 1
        return None

    sockets = []
    for start in range(0, len(share), batch):
        sockets += await asyncio.gather(*(one(c) for _, c in share[start : start + batch]))
    return sockets


async def _listen(index: int, ws, result: Result, window) -> None:
    own = str(index).encode()
    try:
        async for frame in ws:
            now = time.monotonic_ns()
            data = frame.encode() if isinstance(frame, str) else frame
            for match in MARK.finditer(data):
                result.received += 1
                result.per_message[(int(match.group(1)), int(match.group(2)))] += 1
                result.latencies.append((now - int(match.group(3))) / 1e6)
                if window is not None and match.group(1) == own:
                    result.acked += 1
                    window.release()
    except websockets.ConnectionClosed:
        pass


async def _send(index: int, client: Client, ws, end: float, result: Result, window) -> None:
    n = 0
    # Senders at a rate start out of phase (golden-ratio offsets): a thousand rooms sending
    # "one a second" do not all send in the same millisecond.
    start = time.monotonic() + ((index * 0.618034) % 1.0) / client.rate if client.rate else 0.0
    start = start or time.monotonic()
    try:
        while time.monotonic() < end:
            if window is not None:
                try:
                    await asyncio.wait_for(window.acquire(), max(0.01, end - time.monotonic()))
                except TimeoutError:
                    break
            else:
                await asyncio.sleep(max(0.0, start + n / client.rate - time.monotonic()))
            content = f"m{index}x{n}x{time.monotonic_ns()}"
            frame = {"content": content, "HEADERS": {}}
            if client.client_ids:  # unique across runs on one stack: the time is in it
                frame["client_id"] = f"bench-{content}"
            await ws.send(json.dumps(frame))
            n += 1
            result.sent += 1
    except websockets.ConnectionClosed:
        pass
