# gunicorn settings shared by the Procfile and the launcher. WebSockets need the gevent worker:
# each socket is a cheap greenlet, not a thread.
import os

worker_class = "gevent"
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "10000"))
bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
timeout = 30
graceful_timeout = 5
accesslog = os.environ.get("ACCESS_LOG") or None
