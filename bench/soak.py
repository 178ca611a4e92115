"""Soak: hold many sockets on one web process while messages flow, and check that every
message reaches every socket and that memory does not keep growing.

    .venv/bin/python bench/soak.py --sockets 1000 --minutes 10 --rate 5

Reports messages sent and delivered (delivered must equal sent × sockets), the web
process's memory at start and end (and every 30 s), and errors."""

import argparse
import asyncio
import json
import re
import time

import websockets
from stack import TaskFlow

MARK = re.compile(r">soak-(\d+)</div>")


async def client(url: str, cookie: str, origin: str, seen: set, errors: list, ready, stop):
    try:
        async with websockets.connect(
            url,
            additional_headers={"Cookie": cookie},
            origin=origin,
            max_size=None,
            ping_interval=None,
            open_timeout=60,
        ) as ws:
            # The server's first frame (the badge) says it follows the room: count from here.
            await ws.recv()
            ready()
            while not stop.is_set():
                try:
                    frame = await asyncio.wait_for(ws.recv(), timeout=1)
                except TimeoutError:
                    continue
                seen.update(int(n) for n in MARK.findall(frame))
            return ws
    except Exception as error:  # counted and reported, never hidden
        errors.append(repr(error))


async def soak(args) -> dict:
    with TaskFlow(users=args.users) as app:
        cookies = [app.login(u["username"], u["password"]) for u in app.seed["users"]]
        url = app.url.replace("http", "ws") + f"/ws/chat-room/{app.seed['room']}"
        seen = [set() for _ in range(args.sockets)]
        errors: list[str] = []
        opened = 0
        stop = asyncio.Event()

        def ready():
            nonlocal opened
            opened += 1

        tasks = []
        for i in range(args.sockets):  # open in small batches, as a crowd arrives
            tasks.append(
                asyncio.create_task(
                    client(url, cookies[i % len(cookies)], app.url, seen[i], errors, ready, stop)
                )
            )
            if i % 50 == 49:
                await asyncio.sleep(0.2)
        while opened + len(errors) < args.sockets:
            await asyncio.sleep(0.2)
        process = app.web_process()
        memory = [(0, process.memory_info().rss)]

        async with websockets.connect(
            url, additional_headers={"Cookie": cookies[0]}, origin=app.url, ping_interval=None
        ) as sender:
            sent, start = 0, time.monotonic()
            next_sample = 30
            while (elapsed := time.monotonic() - start) < args.minutes * 60:
                await sender.send(json.dumps({"content": f"soak-{sent}", "HEADERS": {}}))
                sent += 1
                if elapsed >= next_sample:
                    memory.append((round(elapsed), process.memory_info().rss))
                    next_sample += 30
                await asyncio.sleep(max(0.0, start + sent / args.rate - time.monotonic()))
        await asyncio.sleep(5)  # the last messages arrive
        memory.append((round(time.monotonic() - start), process.memory_info().rss))
        stop.set()
        await asyncio.gather(*tasks)

    delivered = sum(len(s) for s in seen)
    return {
        "sockets": args.sockets,
        "open": opened,
        "minutes": args.minutes,
        "messages_sent": sent,
        "deliveries_expected": sent * opened,
        "deliveries": delivered,
        "lost": sent * opened - delivered,
        "memory_mb": [(t, round(rss / 2**20, 1)) for t, rss in memory],
        "errors": errors[:10],
        "error_count": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=5, help="messages per second")
    result = asyncio.run(soak(parser.parse_args()))
    print(json.dumps(result, indent=1))
    if result["lost"] or result["error_count"]:
        raise SystemExit("soak failed: messages lost or errors")


if __name__ == "__main__":
    main()
