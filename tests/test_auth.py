from taskflow.models import User

from .conftest import PASSWORD, Client


def register(client, username, password=PASSWORD, confirm=None):
    return client.post(
        "/register",
        {"username": username, "password": password, "confirm": confirm or password},
    )


def test_register_logs_in_and_stores_a_hash(client, app):
    response = register(client, "Alice_1.x-y")
    assert response.status_code == 302 and response.location.endswith("/boards")
    assert "Alice_1.x-y" in client.get("/boards").get_data(as_text=True)
    with app.app_context():
        user = User.by_username("alice_1.X-Y")
        assert user.password_hash != PASSWORD and user.check_password(PASSWORD)


def test_register_rejects_bad_input_and_keeps_what_was_typed(client):
    cases = {
        "ab": "3–30 letters",
        "a" * 31: "3–30 letters",
        "bad name": "3–30 letters",
        "<script>": "3–30 letters",
    }
    for username, error in cases.items():
        response = register(client, username)
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and error in body
    response = register(client, "carol", password="short")
    assert response.status_code == 422 and "at least 8" in response.get_data(as_text=True)
    assert 'value="carol"' in response.get_data(as_text=True)
    response = register(client, "carol", confirm="something else")
    assert "Passwords differ" in response.get_data(as_text=True)


def test_usernames_are_unique_case_insensitively(client, make_user):
    make_user("Dave")
    response = register(client, "dAVE")
    assert response.status_code == 422 and "taken" in response.get_data(as_text=True)


def test_login_wrong_password_and_unknown_user_look_the_same(client, make_user):
    make_user("erin")
    wrong = client.post("/login", {"username": "erin", "password": "nope-nope-nope"})
    unknown = client.post("/login", {"username": "nobody", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 422
    assert "Wrong username or password." in wrong.get_data(as_text=True)
    assert "Wrong username or password." in unknown.get_data(as_text=True)


def test_login_is_case_insensitive_and_remember_me_sets_a_cookie(client, make_user):
    make_user("Frank")
    response = client.post("/login", {"username": "FRANK", "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    assert any(c.key == "remember_token" for c in client.http._cookies.values())


def test_login_next_only_follows_local_paths(app, make_user):
    make_user("gina")
    for target in ["/boards/7", "//evil.example", "https://evil.example/x", "/\\evil"]:
        c = Client(app.test_client())
        response = c.post(f"/login?next={target}", {"username": "gina", "password": PASSWORD})
        assert response.location == (target if target == "/boards/7" else "/boards"), target


def test_pages_need_login_and_logout_is_a_post(client, login):
    for url in ["/boards", "/boards/1", "/tasks/1", "/notifications", "/boards/1/members"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login?next=" in response.location
    assert client.get("/healthz").status_code == 200
    alice = login("alice")
    assert alice.get("/logout").status_code == 405
    assert alice.post("/logout", csrf=False).status_code == 400
    assert alice.post("/logout").status_code == 302
    assert alice.get("/boards").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    make_user("hank")
    response = client.post("/login", {"username": "hank", "password": PASSWORD})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_session_is_renewed_at_login(client, make_user):
    """Nothing from before login carries over: not even the CSRF secret of the session."""
    make_user("ivan")
    before = client.csrf()
    client.http.get("/login")
    assert client.post("/login", {"username": "ivan", "password": PASSWORD}).status_code == 302
    client.token = None
    assert client.csrf() != before
