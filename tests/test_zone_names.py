"""Only IANA zone names are accepted (issue 20): zoneinfo also finds the system's
"localtime" (this server's own zone, whatever it is), "Factory" and "posixrules" in its
folder; none names a place."""

import pytest

from taskflow import people, timezones
from taskflow.extensions import db
from taskflow.models import User

NOT_PLACES = ["localtime", "Factory", "posixrules", "posix/Europe/Paris", "right/UTC"]


def zone_of(app, username: str) -> str | None:
    with app.app_context():
        zone = User.by_username(username).time_zone
        db.session.remove()
    return zone


@pytest.mark.parametrize("name", NOT_PLACES)
def test_a_name_that_is_no_place_is_refused_by_the_profile(app, login, name):
    alice = login("alice")
    colour = next(iter(people.PALETTE))
    response = alice.post("/profile", {"time_zone": name, "avatar_color": colour})
    assert response.status_code == 422
    assert "Pick a time zone from the list" in response.get_data(as_text=True)
    assert zone_of(app, "alice") is None
    assert alice.post("/account/time-zone", {"time_zone": name}).status_code == 400
    assert zone_of(app, "alice") is None
    assert name not in timezones.zones()  # nor offered in the profile's list


def test_a_zone_still_saves(app, login):
    alice = login("alice")
    colour = next(iter(people.PALETTE))
    form = {"time_zone": "Europe/Paris", "avatar_color": colour}
    assert alice.post("/profile", form).status_code == 302
    assert zone_of(app, "alice") == "Europe/Paris"
    assert timezones.clean_zone("Etc/GMT+5") == "Etc/GMT+5" and timezones.clean_zone("UTC")


def test_the_migration_forgets_stored_zones_that_name_no_place(app, login):
    """Users who saved one of these before the profile refused them kept it: their next
    profile save failed (422) on a field they had not touched. The migration sets each to
    no zone (read as UTC, until the browser or the profile sets one); real zones stay."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    kept = {"paris": "Europe/Paris", "utc": "UTC", "gmt5": "Etc/GMT+5", "unset": None}
    forgotten = {f"user{i}": name for i, name in enumerate(NOT_PLACES)}
    for username in (*kept, *forgotten):
        login(username)
    with app.app_context():
        db.session.remove()
        downgrade(revision="150ecef18610")  # before the migration
        try:
            for username, zone in {**kept, **forgotten}.items():
                db.session.execute(
                    text("UPDATE users SET time_zone = :zone WHERE username = :username"),
                    {"zone": zone, "username": username},
                )
            db.session.commit()
        finally:
            db.session.remove()
            upgrade()
    for username, zone in kept.items():
        assert zone_of(app, username) == zone
    for username in forgotten:
        assert zone_of(app, username) is None
