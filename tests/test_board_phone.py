"""The board as a newcomer finds it (issue 22): at 390 px on a touch screen a strip of the
columns (live counts) leads to each column, the board's actions are one menu, the keyboard
hint is gone, and a card moves from the board ("Move to…", with or without JavaScript);
Esc closes a menu; a link styled as a button centres its label."""

import re

from playwright.sync_api import expect

from taskflow.extensions import db
from taskflow.models import Task

from .a11y import DESKTOP, PHONE, context_for
from .conftest import as_user, browser_login, expect_settled, expect_socket_open


def column_of(app, task_id: int) -> int:
    with app.app_context():
        found = db.session.get(Task, task_id).column_id
        db.session.remove()
    return found


def phone_page(new_context, username: str):
    page = context_for(new_context, PHONE, "light").new_page()
    browser_login(page, username)
    return page


def open_board(page, board_id: int) -> None:
    page.goto(f"/boards/{board_id}")
    expect_socket_open(page)
    expect_settled(page)


def label_gaps(locator) -> tuple[float, float]:
    """The space above and below the label's text inside the link's box."""
    return locator.evaluate(
        """(el) => {
          const range = document.createRange();
          range.selectNodeContents(el);
          const text = range.getBoundingClientRect(), box = el.getBoundingClientRect();
          return [text.top - box.top, box.bottom - text.bottom];
        }"""
    )


def test_a_link_styled_as_a_button_centres_its_label(new_page, board_with_task):
    board_id, task_id, _ = board_with_task
    page = new_page("alice")
    links = []
    page.goto(f"/tasks/{task_id}")
    links += [page.get_by_role("link", name="Edit", exact=True)]
    links += [page.get_by_role("link", name="Archive", exact=True)]
    for link in links:
        above, below = label_gaps(link)
        assert abs(above - below) < 2, (above, below)
    page.goto("/boards/999999")  # the 404 page
    above, below = label_gaps(page.get_by_role("link", name="Back to your boards"))
    assert abs(above - below) < 2, (above, below)
    page.goto("/boards")
    above, below = label_gaps(page.get_by_role("link", name="New board"))
    assert abs(above - below) < 2, (above, below)


def test_a_phone_board_has_a_strip_of_its_columns_with_live_counts(
    new_context, board_with_task, app
):
    board_id, task_id, (todo, doing, done) = board_with_task
    page = phone_page(new_context, "alice")
    open_board(page, board_id)
    strip = page.get_by_role("navigation", name="Columns")
    expect(strip).to_be_visible()
    expect(strip.get_by_role("link")).to_have_text(
        [re.compile(r"To Do\s*1"), re.compile(r"In Progress\s*0"), re.compile(r"Done\s*0")]
    )
    expect(page.locator(f"#column-{done}")).not_to_be_in_viewport(ratio=0.9)
    strip.get_by_role("link", name=re.compile("^Done")).tap()
    expect(page.locator(f"#column-{done}")).to_be_in_viewport(ratio=0.95)
    expect(strip).to_be_in_viewport()  # it stays on screen above the column

    # Another member moves the card: the strip's counts follow, live.
    bob = as_user(app, "bob")
    assert bob.post(f"/tasks/{task_id}/move", {"column_id": doing}).status_code == 302
    expect(page.locator(f"#column-{doing}-tally")).to_have_text(re.compile(r"^\s*1"))
    expect(page.locator(f"#column-{todo}-tally")).to_have_text(re.compile(r"^\s*0"))
    # A renamed column renames its link.
    assert bob.post(f"/columns/{done}/rename", {f"column-{done}-name": "Shipped"}).status_code
    expect(strip.get_by_role("link")).to_have_text(
        [re.compile(r"To Do\s*0"), re.compile(r"In Progress\s*1"), re.compile(r"Shipped\s*0")]
    )


def test_a_phone_board_folds_its_actions_into_one_menu_and_has_no_key_hint(
    new_context, board_with_task
):
    board_id, _, _ = board_with_task
    page = phone_page(new_context, "alice")
    open_board(page, board_id)
    expect(page.locator("#card-keys-help")).to_be_hidden()  # no keys on a touch screen
    members = page.get_by_role("link", name=re.compile("^Members"))
    delete = page.get_by_role("link", name="Archive", exact=True)  # the board (then Delete)
    expect(members).to_be_hidden()
    expect(delete).to_be_hidden()
    page.locator(".board-menu > summary").tap()
    for name in ("Chat rooms", "Rename"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(members).to_be_visible()
    expect(delete).to_be_visible()

    desktop = context_for(new_context, DESKTOP, "light").new_page()
    browser_login(desktop, "alice")
    open_board(desktop, board_id)
    expect(desktop.locator("#card-keys-help")).to_be_visible()
    expect(desktop.get_by_role("link", name=re.compile("^Members"))).to_be_visible()
    # Archive is there, but not as loud as the others: no box around it.
    box = desktop.get_by_role("link", name="Archive", exact=True)
    expect(box).to_be_visible()
    expect(box).to_have_css("border-top-style", "none")


def test_move_to_moves_a_card_from_a_phone_live_for_everyone(
    new_context, new_page, board_with_task, app
):
    board_id, task_id, (todo, doing, done) = board_with_task
    alice = phone_page(new_context, "alice")
    bob = new_page("bob")
    open_board(alice, board_id)
    open_board(bob, board_id)
    expect(bob.locator(f"#task-{task_id}").get_by_role("link", name="Move to…")).to_be_hidden()
    card = alice.locator(f"#task-{task_id}")
    card.get_by_role("link", name="Move to…").tap()
    choices = card.get_by_role("group", name="Move “Ship it” to")
    expect(choices.get_by_role("button")).to_have_text(["In Progress", "Done"])
    choices.get_by_role("button", name="Done").tap()
    expect(bob.locator(f"#column-{done}-cards .card-title")).to_have_text(["Ship it"])
    expect(alice.locator(f"#column-{done}-cards .card-title")).to_have_text(["Ship it"])
    expect(alice.locator(f"#column-{todo}-cards .card")).to_have_count(0)
    expect(alice.locator(f"#column-{done}-tally")).to_have_text(re.compile(r"^\s*1"))
    assert column_of(app, task_id) == done
    assert alice.url.endswith(f"/boards/{board_id}")  # no page load


def test_a_card_moves_from_the_board_without_javascript(no_js, board_with_task, app):
    board_id, task_id, (todo, doing, _) = board_with_task
    page = no_js("alice")
    page.goto(f"/boards/{board_id}")
    page.locator(f"#task-{task_id}").get_by_role("link", name="Move to…").click()
    expect(page).to_have_url(re.compile(rf"/tasks/{task_id}/move$"))
    page.get_by_role("group", name="Move “Ship it” to").get_by_role(
        "button", name="In Progress"
    ).click()
    expect(page).to_have_url(re.compile(rf"/boards/{board_id}#task-{task_id}$"))
    expect(page.locator(".flash")).to_have_text("“Ship it” is now in In Progress, position 1 of 1.")
    expect(page.locator(f"#column-{doing}-cards .card-title")).to_have_text(["Ship it"])
    assert column_of(app, task_id) == doing


def test_the_move_menu_is_a_page_or_the_cards_fragment(app, board_with_task):
    board_id, task_id, (todo, doing, done) = board_with_task
    alice = as_user(app, "alice")
    page = alice.get(f"/tasks/{task_id}/move").get_data(as_text=True)
    assert "<html" in page and 'name="csrf_token"' in page and "hx-post" not in page
    assert f'value="{doing}"' in page and f'value="{done}"' in page
    assert f'name="column_id" value="{todo}"' not in page  # where it is already
    fragment = alice.get(f"/tasks/{task_id}/move", htmx=True).get_data(as_text=True)
    assert "<html" not in fragment and "hx-post" in fragment and "<details" in fragment
    # A move's diff carries the strip's counts, one per column it changed.
    diff = alice.post(f"/tasks/{task_id}/move", {"column_id": done}, htmx=True)
    html = diff.get_data(as_text=True)
    assert f'id="column-{done}-tally"' in html and f'id="column-{todo}-tally"' in html
    assert f'id="column-{doing}-tally"' not in html and 'id="column-strip"' not in html
    assert as_user(app, "carol").get(f"/tasks/{task_id}/move").status_code == 404


def test_esc_closes_the_column_menu_and_focus_returns_to_its_button(new_page, board_with_task):
    board_id, _, (todo, _, _) = board_with_task
    page = new_page("alice")
    open_board(page, board_id)
    button = page.locator(f"#column-{todo}-menu")
    menu = page.locator(f"#column-{todo}-head details")
    button.click()
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(button).to_be_focused()
    button.click()  # from inside the menu too
    page.locator(f"#column-{todo}-rename").focus()
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(button).to_be_focused()
