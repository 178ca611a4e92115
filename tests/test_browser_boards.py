"""A real browser (headless Chromium): two users, one board, a card moved from the keyboard."""

from playwright.sync_api import expect

from .conftest import browser_register, expect_settled


def test_two_users_share_a_board_and_move_a_card_by_keyboard(new_page):
    alice, bob = new_page(), new_page()
    browser_register(alice, "alice")
    browser_register(bob, "bob")

    alice.get_by_label("Name").fill("Launch")
    alice.get_by_role("button", name="Create board").click()
    expect(alice.get_by_role("heading", name="Launch")).to_be_visible()

    alice.get_by_role("link", name="Members (1)").click()
    alice.get_by_label("Username").fill("bob")
    alice.get_by_role("button", name="Invite", exact=True).click()
    expect(alice.locator("#pending-invitations")).to_contain_text("bob")
    alice.get_by_role("link", name="← Launch").click()

    alice.get_by_label("New task in To Do").fill("Write the post")
    alice.get_by_label("New task in To Do").press("Enter")
    card = alice.locator(".card", has_text="Write the post")
    to_do = alice.locator(".column", has=alice.get_by_role("heading", name="To Do"))
    expect(to_do.locator(".card-title")).to_have_text(["Write the post"])
    expect_settled(alice)  # a key pressed sooner would submit the form natively

    # Keyboard only: focus the card (its one Tab stop) and press Alt+Shift+→, twice.
    card.get_by_role("link", name="Write the post").focus()
    alice.keyboard.press("Alt+Shift+ArrowRight")
    in_progress = alice.locator(".column", has=alice.get_by_role("heading", name="In Progress"))
    expect(in_progress.locator(".card-title")).to_have_text(["Write the post"])
    # Focus stays on the card, so a second press moves it on again.
    expect(in_progress.get_by_role("link", name="Write the post")).to_be_focused()
    expect_settled(alice)
    alice.keyboard.press("Alt+Shift+ArrowRight")
    done = alice.locator(".column", has=alice.get_by_role("heading", name="Done"))
    expect(done.locator(".card-title")).to_have_text(["Write the post"])

    bob.get_by_role(
        "link", name="Notifications, 1 unread", exact=True
    ).click()  # bob joins by accepting
    bob.get_by_role("button", name="Accept the invitation to Launch").click()
    expect(bob.get_by_role("heading", name="Launch")).to_be_visible()
    bob.goto("/boards")
    bob.get_by_role("link", name="Launch").click()
    bob_done = bob.locator(".column", has=bob.get_by_role("heading", name="Done"))
    expect(bob_done.locator(".card-title")).to_have_text(["Write the post"])


def test_show_more_without_javascript_is_a_page_of_the_next_cards(
    new_context, board_with_task, app
):
    from .conftest import browser_login
    from .helpers import seed_tasks

    board_id, _, (todo, doing, _) = board_with_task
    ids = seed_tasks(app, todo, 40)  # 41 cards: 30 shown
    context = new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        browser_login(page, "alice")
        page.goto(f"/boards/{board_id}")
        expect(page.locator(f"#column-{todo}-cards > li")).to_have_count(30)
        page.get_by_role("link", name="Show 11 more").click()
        expect(page.get_by_role("heading", name="To Do")).to_contain_text("31–41 of 41")
        expect(page.locator(".card")).to_have_count(11)
        page.locator(f"#task-{ids[-1]}").get_by_role("link", name="Task 40").click()
        page.get_by_role("group", name="Move").get_by_role("button", name="Right").click()
        expect(page.locator(".flash")).to_have_text(
            "“Task 40” is now in In Progress, position 1 of 1."
        )
        page.get_by_role("link", name="← Launch").click()
        expect(page.locator(f"#column-{doing}-cards .card-title")).to_have_text(["Task 40"])
    finally:
        context.close()
