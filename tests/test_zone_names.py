"""Only IANA zone names are accepted (issue 20): zoneinfo also finds the system's
"localtime" (this server's own zone, whatever it is), "Factory" and "posixrules" in its
folder; none names a place."""

import re

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


# -- the profile's list: places by region, the user's own first (issue 22) -----------------


def options_of(page: str) -> list[tuple[str, str]]:
    """The time-zone select's options as (group label, value), in order."""
    select = re.search(r'<select id="time_zone".*?</select>', page, re.S)[0]
    found = []
    for group, body in re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S):
        found += [(group, value) for value in re.findall(r'<option value="([^"]+)"', body)]
    return found


def test_the_profile_offers_places_by_region(app, login):
    alice = login("alice")
    page = alice.get("/profile").get_data(as_text=True)
    options = options_of(page)
    values = {value for _, value in options}
    groups = list(dict.fromkeys(group for group, _ in options))
    assert groups == ["Your zone", *timezones.REGIONS]  # UTC, alice's zone so far, first
    assert options[0] == ("Your zone", "UTC")
    assert ("Europe", "Europe/Paris") in options and ("Asia", "Asia/Tokyo") in options
    assert ("America", "America/Argentina/Buenos_Aires") in options
    assert (
        '<option value="America/Argentina/Buenos_Aires">Argentina / Buenos Aires</option>' in page
    )
    for name in [*NOT_PLACES, "EST5EDT", "Etc/GMT+5", "US/Pacific", "GB", "Zulu"]:
        assert name not in values, name
    assert len(re.findall(r"<option[^>]* selected", page)) == 1


def test_the_users_zone_comes_first_and_saves_unchanged(app, login):
    """The browser's zone (people.js sent it) heads the list, selected, even when it is an
    IANA name of no region, which the profile offers to no one else."""
    alice = login("alice")
    assert alice.post("/account/time-zone", {"time_zone": "Etc/GMT+5"}).status_code == 204
    page = alice.get("/profile").get_data(as_text=True)
    options = options_of(page)
    assert options[:2] == [("Your zone", "Etc/GMT+5"), ("Universal", "UTC")]
    assert '<option value="Etc/GMT+5" selected>' in page
    colour = next(iter(people.PALETTE))
    unchanged = {"time_zone": "Etc/GMT+5", "avatar_color": colour}
    assert alice.post("/profile", unchanged).status_code == 302
    assert zone_of(app, "alice") == "Etc/GMT+5"
    moved = {"time_zone": "Europe/Paris", "avatar_color": colour}
    assert alice.post("/profile", moved).status_code == 302
    assert options_of(alice.get("/profile").get_data(as_text=True))[0] == (
        "Your zone",
        "Europe/Paris",
    )


@pytest.mark.parametrize("name", ["US/Pacific", "Etc/GMT+5", "EST5EDT", "Mars/Olympus", ""])
def test_a_zone_the_list_does_not_offer_is_refused_with_a_message(app, login, name):
    alice = login("alice")
    colour = next(iter(people.PALETTE))
    response = alice.post("/profile", {"time_zone": name, "avatar_color": colour})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'aria-describedby="time_zone-error"' in page
    assert re.search(r'<p class="error" id="time_zone-error">[^<]+</p>', page)
    assert zone_of(app, "alice") is None
