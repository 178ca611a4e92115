"""The socket message path in-process: CPU per chat message from frame to publish, and where
it goes (cProfile). No server, no sockets: ChatRoomFrames.handle on a real database and a
real (embedded) Redis, as the socket route calls it, one frame after another.

    .venv/bin/python bench/message_path.py [--messages 2000] [--profile] [--database-url URL]

Writes bench/results/message_path.json (CPU ms per message, messages/s of one core) and,
with --profile, prints the top of the profile on stderr."""

import argparse
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

from stack import ROOT

sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from taskflow import create_app  # noqa: E402
from taskflow import stack as processes  # noqa: E402
from taskflow.chat.frames import ChatRoomFrames  # noqa: E402
from taskflow.extensions import db  # noqa: E402
from taskflow.models import Board, ChatRoom, User  # noqa: E402

RESULTS = ROOT / "bench" / "results"
BEFORE_MS = 5.0  # the issue: about 5 ms of CPU per message, 385 messages/s saturate


class Silent:
    """What a frame handler uses of a Connection: it records what it is told."""

    def __init__(self) -> None:
        self.state: dict = {}
        self.sent: list[str] = []

    def send(self, html: str) -> None:
        self.sent.append(html)

    def close(self, code: int = 1000, reason: str = "") -> None:
        raise AssertionError(f"closed {code} {reason}")


def setup(folder: Path, database_url: str | None):
    app = create_app(
        {
            "SECRET_KEY": "bench-only-secret-key-of-at-least-32-characters",
            "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{folder / 'bench.db'}",
            "REDIS_URL": processes.start_redis(folder),
            "MESSAGE_RATE_LIMIT": "100000 per second",
        }
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        users = [User(f"sender{i}", "correct horse battery") for i in range(4)]
        db.session.add_all(users)
        board = Board.create("Bench", "", users[0])
        for user in users[1:]:
            board.add_member(user)
        room = ChatRoom(board, "bench", "", users[0])
        room.members = users
        db.session.add(room)
        db.session.commit()
        ids = room.id, [u.id for u in users]
        db.session.remove()
    return app, ids


def send(app, room_id: int, user_ids: list[int], count: int, start: int = 0) -> None:
    """`count` messages, each handled as chat/sockets.py handles a frame."""
    connections = {uid: Silent() for uid in user_ids}
    with app.test_request_context():
        for i in range(start, start + count):
            uid = user_ids[i % len(user_ids)]
            frame = {"content": f"message number {i}", "client_id": f"client-{i:08d}"}
            try:
                ChatRoomFrames(room_id, uid, connections[uid]).handle(frame)
            finally:
                db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    count = 200 if args.quick else args.messages
    with tempfile.TemporaryDirectory(prefix="taskflow-msgpath-") as name:
        folder = Path(name)
        try:
            app, (room_id, user_ids) = setup(folder, args.database_url)
            send(app, room_id, user_ids, 50)  # warm up: templates, statements, connections
            profiler = cProfile.Profile() if args.profile else None
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            send(app, room_id, user_ids, count, start=50)
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        finally:
            processes.stop_redis(folder)
    ms = cpu / count * 1000
    report = {
        "messages": count,
        "cpu_ms_per_message": round(ms, 3),
        "cpu_ms_per_message_before": BEFORE_MS,
        "messages_per_cpu_second": round(count / cpu),
        "messages_per_cpu_second_target": 1000,
        "wall_ms_per_message": round(wall / count * 1000, 3),
        "profiled": bool(profiler),
    }
    RESULTS.mkdir(exist_ok=True)
    name = "message_path-quick" if args.quick else "message_path"
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report), file=sys.stderr)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
        print(out.getvalue(), file=sys.stderr)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(40)
        print(out.getvalue(), file=sys.stderr)


if __name__ == "__main__":
    main()
