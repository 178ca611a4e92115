"""One route, two answers: the full page, or only the fragment that changed for htmx."""

from collections.abc import Callable

from flask import redirect, render_template, request
from flask.typing import ResponseReturnValue


def is_htmx() -> bool:
    # A history-restore request wants the whole page even though htmx sent it.
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def page_or_fragment(page: str, fragment: str, status: int = 200, /, **context) -> tuple[str, int]:
    # Positional-only: a template's context may have a "page" (a paged list's number).
    return render_template(fragment if is_htmx() else page, **context), status


def form_answer(
    page: str, fragment: str, target: str, status: int = 200, /, **context
) -> ResponseReturnValue:
    """A form's answer: its fragment for htmx, whatever the status; without htmx a redirect
    to `target` when all is well (post/redirect/get), else the page with what was wrong."""
    if status == 200 and not is_htmx():
        return redirect(target)
    return page_or_fragment(page, fragment, status, **context)


def fragment_or_redirect(
    target: str, fragment: Callable[[], ResponseReturnValue] | str = ""
) -> ResponseReturnValue:
    """After a change: for htmx the fragment (a string, or a function that makes it, called
    only then; "" removes the element it targets), for a plain form a redirect to `target`."""
    if not is_htmx():
        return redirect(target)
    return fragment() if callable(fragment) else fragment


def go(target: str) -> ResponseReturnValue:
    """Another page: htmx follows HX-Redirect (a redirect it would swap into the page),
    a plain form the redirect."""
    if is_htmx():
        return "", 200, {"HX-Redirect": target}
    return redirect(target)
