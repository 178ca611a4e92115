"""The WSGI entry point for gunicorn: `gunicorn -k gevent wsgi:app`."""

from taskflow import create_app

app = create_app()
