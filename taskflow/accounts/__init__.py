"""Accounts: register, log in and out, server-side sessions, your account page."""

from flask import Flask


def init_app(app: Flask) -> None:
    from taskflow.accounts import account, auth

    app.register_blueprint(auth.bp)
    app.register_blueprint(account.bp)
