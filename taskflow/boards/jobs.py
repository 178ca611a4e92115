"""The boards area's RQ jobs. The worker (`flask --app taskflow worker`) runs them inside the
app context; each is idempotent, so a re-run is safe (see import_service.run_import)."""

from taskflow.boards import import_service
from taskflow.extensions import db

# A function of its own, not made with functools.wraps: RQ queues a function under its module
# and qualified name.


def import_board(import_id: int) -> None:
    try:
        import_service.run_import(import_id)
    finally:
        db.session.remove()  # jobs share the worker's app context: start each afresh
