"""One route, two answers: the full page, or only the fragment that changed for htmx."""

from collections.abc import Callable

from flask import redirect, render_template, request


def is_htmx() -> bool:
    # A history-restore request wants the whole page even though htmx sent it.
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def page_or_fragment(page: str, fragment: str, status: int = 200, **context) -> tuple[str, int]:
    return render_template(fragment if is_htmx() else page, **context), status


def fragment_or_redirect(fragment: Callable[[], object] | object, location: str):
    """After a change: htmx gets `fragment` (called only then, when it is a call), a plain
    form post is sent on to `location`."""
    if is_htmx():
        return fragment() if callable(fragment) else fragment
    return redirect(location)
