"""`/search?q=`: one search over everything the user may read (a GET form in the
navigation, so it works without JavaScript and a search is a link)."""

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from taskflow import errors, security
from taskflow.converters import id_arg
from taskflow.search import finder, results
from taskflow.search.query import BadQuery, Query, parse

bp = Blueprint("search", __name__)


@bp.get("/search")
@login_required
def index():
    text = request.args.get("q", "")
    page = min(id_arg("page", 1) or 1, finder.PAGES_MAX)
    if text.strip() and not security.may_search(current_user.id):
        return errors.refusal(429, security.SEARCH_SLOW_DOWN)
    try:
        query = parse(text)
    except BadQuery as bad:
        return _page(Query(text), error=str(bad)), 422
    if not query:
        return _page(query)
    hits, more = finder.find(current_user.id, query, page)
    found = results.load(hits, query.words)
    return _page(query, found=found, page=page, more=more)


def _page(query: Query, **context) -> str:
    context.setdefault("page", 1)
    return render_template("search/index.html", query=query, page_size=finder.PAGE_SIZE, **context)
