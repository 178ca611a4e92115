"""The bare broadcaster: what fan-out costs with nothing but asyncio, Redis pub/sub and a
minimal WebSocket server (the `websockets` package), for bench/broadcast.py to measure
TaskFlow against in the same run, on the same machine, with the same load generator.

    .venv/bin/python bench/bare.py --port 8790 --redis redis://127.0.0.1:6379/0

It speaks the chat socket's protocol as far as the load generator sees it: a socket at
/ws/chat-room/<room> gets one frame on opening; a frame {"content": ...} (the page's chat
frame) is escaped, wrapped in the message's HTML and published on the room's Redis channel;
the one subscriber of the process hands each published message to every local socket of the
room (`websockets.broadcast`: the frame is built once and written to each socket without
waiting). No database, no sessions, no rendering: the floor under any chat server in Python."""

import argparse
import asyncio
import html
import json
import re
from collections import defaultdict

import redis.asyncio as redis
from websockets.asyncio.server import broadcast, serve

ROOM = re.compile(r"^/ws/chat-room/(\d+)/?$")
PREFIX = "bare:room:"


class Bare:
    def __init__(self, url: str) -> None:
        self.redis = redis.Redis.from_url(url)
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self.rooms: dict[str, set] = defaultdict(set)
        self.seq = 0

    async def handler(self, ws) -> None:
        match = ROOM.match(ws.request.path)
        if match is None:
            await ws.close(4404, "No such room")
            return
        room = match.group(1)
        if not self.rooms[room]:
            await self.pubsub.subscribe(PREFIX + room)
        self.rooms[room].add(ws)
        try:
            await ws.send('<div id="hello"></div>')  # the page follows the room from now on
            async for data in ws:
                await self.message(room, data)
        finally:
            self.rooms[room].discard(ws)

    async def message(self, room: str, data) -> None:
        try:
            content = json.loads(data).get("content")
        except (ValueError, AttributeError):
            return
        if not isinstance(content, str) or not content.strip():
            return
        self.seq += 1
        fragment = (
            f'<li class="message" id="message-{self.seq}">'
            f'<div class="message-body">{html.escape(content.strip())}</div></li>'
        )
        await self.redis.publish(PREFIX + room, fragment)

    async def listen(self) -> None:
        while not self.pubsub.subscribed:
            await asyncio.sleep(0.01)
        async for item in self.pubsub.listen():
            if item["type"] == "message":
                room = item["channel"].decode().removeprefix(PREFIX)
                broadcast(self.rooms.get(room, ()), item["data"].decode())


async def main(port: int, url: str) -> None:
    bare = Bare(url)
    listener = asyncio.create_task(bare.listen())
    async with serve(bare.handler, "127.0.0.1", port, max_size=2**16, ping_interval=None):
        print(f"bare broadcaster on ws://127.0.0.1:{port}", flush=True)
        await listener


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    asyncio.run(main(args.port, args.redis))
