"""The design system's pages: no sideways scroll and nothing for axe-core in each of the four
modes (desktop and phone, light and dark); the phone's header menu; the theme setting (a
column on users, a profile field, html[data-theme] when forced)."""

import pytest
from playwright.sync_api import expect

from taskflow.extensions import db
from taskflow.models import Board, Task, User

from .a11y import PHONE, axe_violations, context_for, too_wide
from .conftest import browser_login, expect_settled, expect_socket_open

LONG = (
    "Everything the launch needs, from the landing page copy to the press kit, the pricing "
    "table and the support rota for the first week after we ship it to everyone"
)


@pytest.fixture
def design_world(app, board_with_task):
    """board_with_task, with a long description and a task in every state a page shows;
    carol is on no board (the empty index)."""
    board_id, task_id, columns = board_with_task
    with app.app_context():
        board = db.session.get(Board, board_id)
        board.description = LONG
        alice = User.by_username("alice")
        task = db.session.get(Task, task_id)
        task.description = "A **long** description with a [link](https://example.com) in it."
        task.assignee = alice
        task.priority = "high"
        db.session.add(
            Task(column=board.columns[1], title="Write the post " * 6, position=0, created_by=alice)
        )
        db.session.commit()
        db.session.remove()
    return board_id, task_id


def check(page, path: str, shown: str, *, live: bool = False) -> list[str]:
    """Open `path`, wait until `shown` is visible (and the page's socket is open and htmx has
    settled, for live pages); what is wrong with it, one line each."""
    page.goto(path)
    expect(page.locator(shown).first).to_be_visible()
    if live:
        expect_socket_open(page)
        expect_settled(page)
    return [f"{path} wide: {w}" for w in too_wide(page)] + [
        f"{path} axe: {v}" for v in axe_violations(page)
    ]


def test_the_phone_header_menu_opens_and_shows_the_links(new_context, design_world):
    context = context_for(new_context, {"width": 360, "height": 740}, "light")
    try:
        page = context.new_page()
        browser_login(page, "alice")
        boards = page.get_by_role("link", name="Boards", exact=True)
        direct = page.get_by_role("link", name="Direct messages")
        expect(boards).to_be_hidden()  # collapsed: only the brand, "Menu" and the avatar
        expect(page.locator(".brand")).to_be_visible()
        page.get_by_text("Menu", exact=True).click()
        expect(boards).to_be_visible()
        expect(direct).to_be_visible()
        assert too_wide(page) == []

        # The user menu opens inside the screen.
        page.locator(".user-menu summary").click()
        for name in ("Your profile", "Your account"):
            link = page.get_by_role("link", name=name)
            expect(link).to_be_visible()
            box = link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360, (name, box)
        expect(page.get_by_role("button", name="Log out")).to_be_in_viewport()
    finally:
        context.close()


def test_desktop_header_shows_the_links_without_a_menu(new_context, design_world):
    context = context_for(new_context, {"width": 1280, "height": 800}, "light")
    try:
        page = context.new_page()
        browser_login(page, "alice")
        expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
        expect(page.get_by_role("link", name="Boards", exact=True)).to_be_visible()
        expect(page.get_by_role("link", name="Direct messages")).to_be_visible()
    finally:
        context.close()


def test_a_phone_kanban_scrolls_inside_itself_column_by_column(new_context, design_world):
    board_id, _ = design_world
    context = context_for(new_context, PHONE, "light")
    try:
        page = context.new_page()
        browser_login(page, "alice")
        page.goto(f"/boards/{board_id}")
        kanban = page.locator("#kanban > .kanban")  # the columns (the strip is above)
        expect(kanban).to_have_css("scroll-snap-type", "x mandatory")
        width = page.locator(".column").first.bounding_box()["width"]
        assert abs(width - 0.85 * PHONE["width"]) < 2
        assert too_wide(page) == []
    finally:
        context.close()


# --- the theme setting ----------------------------------------------------------------------


def profile_form(theme: str | None) -> dict:
    form = {"display_name": "", "time_zone": "UTC", "avatar_color": "#0b57d0"}
    if theme is not None:
        form["theme"] = theme
    return form


def test_the_profile_saves_a_theme_and_the_page_forces_it(app, login):
    alice = login("alice")
    page = alice.get("/profile").get_data(as_text=True)
    assert '<html lang="en">' in page  # "system": the browser's preference decides
    assert 'name="theme"' in page

    assert alice.post("/profile", profile_form("dark")).status_code == 302
    with app.app_context():
        assert User.by_username("alice").theme == "dark"
    assert '<html lang="en" data-theme="dark">' in alice.get("/boards").get_data(as_text=True)

    # A save without the field (an older form) keeps the theme.
    assert alice.post("/profile", profile_form(None)).status_code == 302
    with app.app_context():
        assert User.by_username("alice").theme == "dark"

    assert alice.post("/profile", profile_form("light")).status_code == 302
    assert 'data-theme="light"' in alice.get("/boards").get_data(as_text=True)
    assert alice.post("/profile", profile_form("system")).status_code == 302
    assert "data-theme" not in alice.get("/boards").get_data(as_text=True)


def test_a_bad_theme_is_a_form_error_and_saving_needs_the_token(app, login):
    alice = login("alice")
    response = alice.post("/profile", profile_form("neon"))
    assert response.status_code == 422
    assert 'id="theme-error"' in response.get_data(as_text=True)
    assert alice.post("/profile", profile_form("dark"), csrf=False).status_code == 400
    with app.app_context():
        assert User.by_username("alice").theme == "system"


def test_a_forced_dark_theme_wins_over_a_light_browser(new_context, design_world):
    context = context_for(new_context, {"width": 1280, "height": 800}, "light")
    try:
        page = context.new_page()
        browser_login(page, "alice")
        page.goto("/profile")
        light = page.locator("body").evaluate("b => getComputedStyle(b).backgroundColor")
        page.get_by_label("Dark", exact=True).check()
        page.get_by_role("button", name="Save profile").click()
        expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        # The dark --bg (#111318), though the browser prefers light.
        expect(page.locator("body")).to_have_css("background-color", "rgb(17, 19, 24)")
        assert light == "rgb(246, 247, 249)"
    finally:
        context.close()


# --- empty states -----------------------------------------------------------------------------


def test_empty_states_invite_the_next_action(app, new_context, make_user):
    make_user("dave")
    with app.app_context():
        board = Board.create("Solo", "", User.by_username("dave"))
        db.session.commit()
        board_id = board.id
        db.session.remove()
    context = context_for(new_context, PHONE, "dark")
    try:
        page = context.new_page()
        browser_login(page, "dave")
        page.goto(f"/boards/{board_id}")
        no_tasks = page.get_by_role("heading", name="No tasks yet")
        expect(no_tasks).to_be_visible()
        expect(page.get_by_role("heading", name="This board has no columns")).to_be_hidden()
        expect_socket_open(page)
        page.get_by_label("New task in To Do").fill("First one")
        page.get_by_label("New task in To Do").press("Enter")
        expect(page.locator(".card", has_text="First one")).to_be_visible()
        expect(no_tasks).to_be_hidden()  # the live board leaves its empty state

        page.goto(f"/boards/{board_id}/members")
        expect(page.get_by_role("heading", name="Only you so far")).to_be_visible()
        expect(page.get_by_role("heading", name="Invite by username")).to_be_visible()
    finally:
        context.close()


def test_a_board_without_columns_says_how_to_start(app, login):
    dave = login("dave")
    with app.app_context():
        board = Board.create("Bare", "", User.by_username("dave"))
        db.session.commit()
        for column in list(board.columns):
            db.session.delete(column)
        db.session.commit()
        board_id = board.id
        db.session.remove()
    page = dave.get(f"/boards/{board_id}").get_data(as_text=True)
    assert "This board has no columns" in page and "Add a column" in page


def test_no_design_page_scrolls_sideways_at_360_px(new_context, design_world):
    board_id, task_id = design_world
    context = context_for(new_context, {"width": 360, "height": 740}, "light")
    try:
        page = context.new_page()
        paths = ["/login", "/register"]
        for path in paths:
            page.goto(path)
            assert too_wide(page) == [], path
        browser_login(page, "alice")
        paths = [
            "/boards",
            f"/boards/{board_id}",
            f"/boards/{board_id}/edit",
            f"/boards/{board_id}/delete",
            f"/boards/{board_id}/members",
            f"/tasks/{task_id}",
            f"/tasks/{task_id}/edit",
            "/profile",
            "/account",
            "/boards/999999",
        ]
        for path in paths:
            page.goto(path)
            expect(page.locator("main h1").first).to_be_visible()
            assert too_wide(page) == [], path
    finally:
        context.close()
