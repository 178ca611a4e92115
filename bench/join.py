"""Joins without storms, and the room page (issue 12).

    .venv/bin/python bench/join.py            # 500 members, report in bench/results/join.json
    .venv/bin/python bench/join.py --quick    # 50 members (the smoke test uses it)

J1 a crowd: R members of one room open their sockets at once, from several load-generator
processes (asyncio + websockets in each). Each client counts the bytes it receives and keeps
its own view of who is online (the member list it gets on connect, then the diffs); it is
"caught up" when that view shows all R online. Then one message is sent: bytes before it are
the cost of the crowd's arrival.
J2 a restart: the web process is stopped and started again; every client reconnects at once,
as htmx-ext-ws does, and is caught up again when its view shows all R online.
J3 the room page (50 messages): its bytes, and pages/s under wrk (one web process).
Progress goes to stderr; the figures, beside the issue's "before", to the JSON."""

import argparse
import asyncio
import json
import multiprocessing
import re
import subprocess
import sys
import time

import requests
import websockets
from figures import figure
from loadgen import open_socket
from stack import ROOT, TaskFlow, raise_file_limit

from taskflow import stack as processes

RESULTS = ROOT / "bench" / "results"
MEMBER = re.compile(r'<li id="member-(\d+)" class="(online|offline)"')
MARKER = "first-message-after-the-crowd"
BEFORE = {  # the figures, measured before this work
    "bytes_per_client_before_first_message": 22_000_000,
    "seconds_until_all_connected": 13.8,
    "room_page_bytes": 47_000,
    "room_page_per_s": 190,
    "room_page_p99_ms": 93,
}
TARGET = {
    "bytes_per_client": 100_000,
    "seconds_until_all_caught_up_after_restart": 5.0,
    "room_page_bytes": 25_000,
    "room_page_per_s": 600,
}


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


# -- one load-generator process --------------------------------------------------------------


class Client:
    """One member's socket: bytes received, its view of who is online, when it caught up."""

    def __init__(self, url: str, origin: str, cookie: str, members: int) -> None:
        self.url, self.origin, self.cookie, self.members = url, origin, cookie, members
        self.online: dict[int, bool] = {}
        self.bytes = 0
        self.bytes_before_marker: int | None = None
        self.caught_up_at: float | None = None
        self.reconnects = 0  # after the restart, sockets closed before they caught up
        self.ws = None

    async def connect(self, deadline: float) -> None:
        while True:
            try:
                self.ws = await open_socket(self.url, self.origin, self.cookie, timeout=30)
                return
            except (OSError, websockets.InvalidStatus, websockets.InvalidHandshake, TimeoutError):
                if time.time() > deadline:
                    raise
                await asyncio.sleep(0.05)  # the server is not back yet: retry at once

    async def read(self, deadline: float) -> None:
        """Until the connection ends or the deadline passes."""
        try:
            while time.time() < deadline:
                frame = await asyncio.wait_for(self.ws.recv(), deadline - time.time())
                self.bytes += len(frame.encode() if isinstance(frame, str) else frame)
                if 'id="room-members"' in frame:
                    self.online = {}  # the whole list: it replaces the view
                for user, state in MEMBER.findall(frame):
                    self.online[int(user)] = state == "online"
                if self.caught_up_at is None and sum(self.online.values()) >= self.members:
                    self.caught_up_at = time.time()
                if MARKER in frame and self.bytes_before_marker is None:
                    self.bytes_before_marker = self.bytes
        except (websockets.ConnectionClosed, TimeoutError):
            pass


async def crowd(spec: dict, results) -> None:
    """This process's share of the clients: connect at `start`, read until the server goes
    away (the restart), reconnect at once, read until caught up again."""
    clients = [
        Client(spec["url"], spec["origin"], cookie, spec["members"]) for cookie in spec["cookies"]
    ]
    await asyncio.sleep(max(0.0, spec["start"] - time.time()))
    deadline = spec["start"] + spec["timeout"]

    async def first_life(client):
        await client.connect(deadline)
        await client.read(deadline)

    await asyncio.gather(*(first_life(c) for c in clients))
    first = [(c.caught_up_at, c.bytes_before_marker, c.bytes) for c in clients]
    # The server went away (J2): reconnect at once, as pages do.
    lost_at = time.time()
    for client in clients:
        client.online, client.caught_up_at, client.bytes = {}, None, 0
    deadline = lost_at + spec["timeout"]

    async def second_life(client):
        await client.connect(deadline)
        while client.caught_up_at is None and time.time() < deadline:
            await client.read(min(deadline, time.time() + 1))
            if client.caught_up_at is None and client.ws.close_code is not None:
                client.reconnects += 1  # closed before it caught up: again, as a page does
                client.online = {}
                await client.connect(deadline)
        await client.ws.close()

    await asyncio.gather(*(second_life(c) for c in clients), return_exceptions=True)
    second = [(c.caught_up_at, c.bytes) for c in clients]
    reconnects = sum(c.reconnects for c in clients)
    results.put({"first": first, "second": second, "reconnects": reconnects})


def run_crowd(spec: dict, results) -> None:
    raise_file_limit()
    asyncio.run(crowd(spec, results))


# -- the run ---------------------------------------------------------------------------------


def join_and_restart(app: TaskFlow, members: int, generators: int, timeout: float) -> dict:
    users = app.seed["users"][:members]
    log(f"logging in {len(users)} members…")
    cookies = [app.login(u["username"], u["password"]) for u in users]
    url = app.url.replace("http", "ws") + f"/ws/chat-room/{app.seed['room']}"
    start = time.time() + 2 + members / 500  # every generator ready before then
    results: multiprocessing.Queue = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(
            target=run_crowd,
            args=(
                {
                    "url": url,
                    "origin": app.url,
                    "cookies": cookies[i::generators],
                    "members": members,
                    "start": start,
                    "timeout": timeout,
                },
                results,
            ),
        )
        for i in range(generators)
    ]
    for worker in workers:
        worker.start()
    log(f"J1: {members} members connect at once ({generators} load-generator processes)…")
    processes.wait_until(lambda: time.time() > start + 1, timeout=60)
    # Once all are in (each caught up), one message: what came before it is the crowd's cost.
    time.sleep(min(timeout / 2, 3 + members / 100))  # let the crowd arrive before the marker
    asyncio.run(send_messages(app, cookies[0], [MARKER]))
    time.sleep(2)  # the marker and the last diffs reach everyone
    log("J2: restarting the web process…")
    stopped_at = time.time()
    processes.stop(app.processes[0])  # gunicorn's graceful stop waits for the open sockets
    launched_at = time.time()  # the restart proper: a new web process is started
    app.processes[0], _ = processes.start_web(
        app.env, port=int(app.url.rsplit(":", 1)[1]), log=app.web_log()
    )
    up_at = time.time()
    reports = [results.get(timeout=timeout + 60) for _ in workers]
    for worker in workers:
        worker.join(30)
    first = [row for report in reports for row in report["first"]]
    second = [row for report in reports for row in report["second"]]
    caught = [t for t, _, _ in first if t]
    recaught = [t for t, _ in second if t]
    before_marker = [b for _, b, _ in first if b is not None]
    return {
        "members": members,
        "load_generator_processes": generators,
        "J1_clients_caught_up": len(caught),
        "J1_seconds_until_all_caught_up": round(max(caught) - start, 2) if caught else None,
        "J1_seconds_until_all_caught_up_before": BEFORE["seconds_until_all_connected"],
        "J1_bytes_per_client_before_first_message_max": max(before_marker, default=None),
        "J1_bytes_per_client_before_first_message_mean": round(
            sum(before_marker) / len(before_marker)
        )
        if before_marker
        else None,
        "J1_bytes_per_client_before_first_message_before": BEFORE[
            "bytes_per_client_before_first_message"
        ],
        "J1_bytes_per_client_total_max": max(b for _, _, b in first),
        "J1_bytes_per_client_target": TARGET["bytes_per_client"],
        "J1_clients_that_saw_the_message": len(before_marker),
        "J2_clients_caught_up": len(recaught),
        "J2_seconds_until_all_caught_up_after_restart": round(max(recaught) - launched_at, 2)
        if len(recaught) == len(second)
        else None,
        "J2_seconds_from_stop_until_all_caught_up": round(max(recaught) - stopped_at, 2)
        if len(recaught) == len(second)
        else None,
        "J2_seconds_old_process_took_to_stop": round(launched_at - stopped_at, 2),
        "J2_seconds_new_process_took_to_answer": round(up_at - launched_at, 2),
        "J2_target_seconds": TARGET["seconds_until_all_caught_up_after_restart"],
        "J2_bytes_per_client_max": max((b for _, b in second), default=None),
        "J2_sockets_closed_before_caught_up": sum(report["reconnects"] for report in reports),
    }


async def send_messages(app: TaskFlow, cookie: str, texts: list[str]) -> None:
    """Send messages over a socket, and wait until each came back (saved and published)."""
    url = app.url.replace("http", "ws") + f"/ws/chat-room/{app.seed['room']}"
    async with websockets.connect(
        url, origin=app.url, additional_headers={"Cookie": cookie}, ping_interval=None
    ) as ws:
        for text in texts:
            await ws.send(json.dumps({"content": text, "HEADERS": {}}))
        waiting = set(texts)
        while waiting:
            frame = await asyncio.wait_for(ws.recv(), 30)
            waiting = {text for text in waiting if f">{text}</div>" not in frame}


def room_page(app: TaskFlow, seconds: int) -> dict:
    """J3: the room page with 50 messages, as the room's creator sees it, under wrk."""
    cookie = app.login(app.seed["users"][0]["username"], app.seed["users"][0]["password"])
    asyncio.run(send_messages(app, cookie, [f"page message {i}" for i in range(50)]))
    url = f"{app.url}/rooms/{app.seed['room']}"
    page = requests.get(url, headers={"Cookie": cookie})
    shown = page.text.count('<li class="message')  # "message grouped" too: one author sent them
    assert page.status_code == 200 and shown == 50, (page.status_code, shown)
    output = subprocess.run(
        ["wrk", "-t2", "-c4", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}", url],
        capture_output=True,
        text=True,
    ).stdout
    p99 = re.search(r"99%\s+([\d.]+)(\w+)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "J3_room_page_bytes": len(page.content),
        "J3_room_page_bytes_before": BEFORE["room_page_bytes"],
        "J3_room_page_bytes_target": TARGET["room_page_bytes"],
        "J3_room_page_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "J3_room_page_per_s_before": BEFORE["room_page_per_s"],
        "J3_room_page_per_s_target": TARGET["room_page_per_s"],
        "J3_room_page_p99_ms": round(float(p99[1]) * {"us": 0.001, "ms": 1, "s": 1000}[p99[2]], 1),
        "J3_room_page_p99_ms_before": BEFORE["room_page_p99_ms"],
        "J3_errors": int(non2xx[1]) if non2xx else 0,
    }


def as_figures(report: dict) -> list[dict]:
    """The report's figures in bench/run.py's shape, each beside its target and before."""
    get, members = report.get, report.get("members")
    bytes_max = get("J1_bytes_per_client_before_first_message_max")
    restart = get("J2_seconds_until_all_caught_up_after_restart")
    page_bytes, pages = get("J3_room_page_bytes"), get("J3_room_page_per_s")
    return [
        figure(
            f"{members} members join at once: bytes per client before the first message, max",
            bytes_max,
            "B",
            "≤ 100 KB",
            "≈ 22 MB",
            bytes_max is not None and bytes_max <= TARGET["bytes_per_client"],
        ),
        figure(
            f"{members} members join at once: bytes per client in all, max",
            get("J1_bytes_per_client_total_max"),
            "B",
        ),
        figure(
            f"{members} members join at once: seconds until all caught up",
            get("J1_seconds_until_all_caught_up"),
            "s",
            before="13.8 s",
        ),
        figure(
            "web process restarted: seconds from the new process's launch until all caught up",
            restart,
            "s",
            "≤ 5 s",
            "",
            restart is not None and restart <= TARGET["seconds_until_all_caught_up_after_restart"],
        ),
        figure(
            "web process restarted: seconds from its stop until all caught up",
            get("J2_seconds_from_stop_until_all_caught_up"),
            "s",
        ),
        figure(
            "room page, 50 messages: bytes",
            page_bytes,
            "B",
            "≤ 25 KB",
            "47 KB",
            page_bytes is not None and page_bytes <= TARGET["room_page_bytes"],
        ),
        figure(
            "room page, 50 messages: pages/s (wrk, 4 connections)",
            pages,
            "/s",
            "≥ 600",
            "190",
            pages is not None and pages >= TARGET["room_page_per_s"],
        ),
        figure("room page: p99", get("J3_room_page_p99_ms"), "ms", before="93 ms"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--members", type=int, default=None)
    parser.add_argument("--generators", type=int, default=4)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--web", type=int, default=1, help="web processes (WEB_CONCURRENCY)")
    args = parser.parse_args()
    members = args.members or (50 if args.quick else 500)
    env = {"WEB_CONCURRENCY": str(args.web)}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    report: dict = {"quick": args.quick, "web_processes": args.web}
    name = "join-quick" if args.quick else "join"
    with TaskFlow(users=members, **env) as app:
        try:
            report.update(join_and_restart(app, members, 2 if args.quick else args.generators, 60))
            log("J3: the room page under wrk…")
            report.update(room_page(app, 2 if args.quick else 10))
        except Exception as error:  # a failed run is reported, not hidden
            report["error"] = repr(error)
    report["figures"] = as_figures(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=1))
    log(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
