# gunicorn settings shared by the Procfile and the launcher. WebSockets need the gevent worker:
# each socket is a cheap greenlet, not a thread.
import os

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
