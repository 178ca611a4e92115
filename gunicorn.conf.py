# gunicorn settings shared by the Procfile and the launcher. WebSockets need the gevent worker:
# each socket is a cheap greenlet, not a thread.
import os
import signal

import gevent

worker_class = "gevent"
# One web process per core by default: a process runs one greenlet at a time, so a heavy page
# on one process does not hold the others. Sockets of one room on several processes meet in
# Redis; every counter and limit shared between requests lives there too.
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 1)
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "10000"))
bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
timeout = 30
graceful_timeout = 5
accesslog = os.environ.get("ACCESS_LOG") or None


def post_worker_init(worker) -> None:
    """A stopping worker (a deploy, a restart: SIGTERM) refuses new sockets and ends its own
    with 1012 (Service Restart), which pages reconnect at once, to another process or this
    one's successor, and catch up from. Otherwise the graceful stop would wait graceful_timeout
    for sockets that never end by themselves, then cut them off; and pages reconnecting within
    the second before gunicorn stops accepting would land on this process again."""
    stop = worker.handle_exit

    def stop_and_hand_back(sig, frame) -> None:
        stop(sig, frame)
        hub = getattr(worker.wsgi, "extensions", {}).get("broadcaster")
        if hub is not None:  # a greenlet of its own: never block in a signal handler
            gevent.spawn(hub.stop_serving)

    signal.signal(signal.SIGTERM, stop_and_hand_back)
