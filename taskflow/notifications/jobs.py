"""RQ jobs. The worker (`flask --app taskflow worker`) runs them inside the app context;
each is idempotent (see notifications.py), so retries and the sweep are safe."""

from functools import wraps

from flask import current_app

from taskflow.extensions import db
from taskflow.notifications import service as notifications


def job(work):
    @wraps(work)
    def run(*args):
        try:
            with current_app.test_request_context():  # for url_for in what the job renders
                work(*args)
        finally:
            db.session.remove()  # jobs share the worker's app context: start each afresh

    return run


notify_chat_message = job(notifications.for_chat_message)
notify_comment = job(notifications.for_comment)
notify_assignment = job(notifications.for_assignment)
