"""Accounts: register, log in and out, server-side sessions, your account page, profiles."""

from flask import Flask


def init_app(app: Flask) -> None:
    from taskflow import people, timezones
    from taskflow.accounts import account, auth, profile

    app.register_blueprint(auth.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(profile.bp)
    people.init_app(app)
    timezones.init_app(app)
