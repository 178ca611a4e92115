"""Board invitations: the owner invites a user by name (or shares an invite link); the user
joins only by accepting, or by opening the link. Until then, every board URL is a 404 to
them and the invitation shows nothing but the board's name and who invited them.

Pending invitations count in the unread badge (notifications.badge_count) instead of being
notification rows: an invitation is a question waiting for an answer, not news, so it must
not be marked read or dismissed away while still open, and keeping one row per invitation
avoids two rows whose lifetimes (cancel, accept, board deleted) would have to be kept in
step. It is pushed to the invitee's personal stream like a notification."""

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from taskflow.access import own, owned_board
from taskflow.boards import invitation_service as service
from taskflow.boards.forms import MemberForm
from taskflow.boards.invitation_service import TOO_MANY  # noqa: F401 (the tests' name for it)
from taskflow.extensions import db, limiter
from taskflow.htmx import form_answer, fragment_or_redirect, go, is_htmx
from taskflow.models import Board
from taskflow.models.invitation import ACCEPTED, Invitation, InviteLink, Removal
from taskflow.notifications import service as notifications

bp = Blueprint("invitations", __name__)

EXPIRY = {"never": None, "1": timedelta(days=1), "7": timedelta(days=7)}
REMOVED = (
    "You were removed from this board: its invite link works for you again only once the owner"
    " invites you."
)
BAD_LINK = "This invite link does not work: it may have expired or been reset. Ask for a new one."


class InviteLinkForm(FlaskForm):
    expiry = SelectField(
        "Link expires",
        choices=[
            SelectChoice("never", "Never"),
            SelectChoice("1", "After 1 day"),
            SelectChoice("7", "After 7 days"),
        ],
        default="never",
    )


# -- the owner's side ---------------------------------------------------------------------


def members_page(board: Board, form=None, link_form=None, status: int = 200):
    """The members page after a change: the panel for htmx, else a redirect (or, with
    errors, the page)."""
    return form_answer(
        "boards/members/index.html",
        "boards/members/_panel.html",
        url_for("members.index", board_id=board.id),
        status,
        **panel_context(board, form, link_form),
    )


# The members page lists a page of members by name (a board of thousands stays one page of
# them, and of the owner's Remove buttons), with links to the others.
MEMBERS_PAGE = 100


def panel_context(board: Board, form=None, link_form=None, page: int = 1) -> dict:
    owner = board.is_owner(current_user)
    found = Board.members_page(board.id, (page - 1) * MEMBERS_PAGE, MEMBERS_PAGE + 1)
    invitations = Invitation.pending_of_board(board) if owner else []
    invited = {invitation.invitee_id for invitation in invitations}
    removed = Removal.of_board(board) if owner else []
    return {
        "board": board,
        "members": found[:MEMBERS_PAGE],
        "page": page,
        "more": len(found) > MEMBERS_PAGE,
        "form": form or MemberForm(formdata=None),
        "link_form": link_form or InviteLinkForm(formdata=None),
        "invitations": invitations,
        # Those the link refuses: removed, and not invited since (an invitation lets them in).
        "removed": [removal for removal in removed if removal.user_id not in invited],
        "invite_link": InviteLink.of_board(board) if owner else None,
    }


@bp.post("/boards/<int:board_id>/invitations/<int:invitation_id>/delete")
def cancel(board_id: int, invitation_id: int):
    board = owned_board(board_id)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.board_id != board.id:
        abort(404)
    invitee = invitation.invitee
    if service.cancel_invitation(invitation):
        flash(f"The invitation of {invitee.username} was cancelled.", "info")
    else:
        flash("That invitation was already answered.", "info")
    return members_page(board)


@bp.post("/boards/<int:board_id>/invite-link")
def reset_link(board_id: int):
    board = owned_board(board_id)
    form = InviteLinkForm()
    if not form.validate_on_submit():
        return members_page(board, link_form=form, status=422)
    service.reset_invite_link(board, current_user, EXPIRY[form.expiry.data])
    flash("A new invite link is ready; any earlier link no longer works.", "success")
    return members_page(board)


@bp.post("/boards/<int:board_id>/invite-link/delete")
def disable_link(board_id: int):
    board = owned_board(board_id)
    service.disable_invite_link(board)
    flash("The invite link is disabled.", "info")
    return members_page(board)


# -- the invitee's side -------------------------------------------------------------------


@bp.post("/invitations/<int:invitation_id>/accept")
def accept(invitation_id: int):
    invitation = _own(invitation_id)
    board = invitation.board
    if not service.accept_invitation(invitation, current_user):
        return _already_answered(invitation)
    flash(f"You joined “{board.name}”.", "success")
    return go(url_for("boards.show", board_id=board.id))


@bp.post("/invitations/<int:invitation_id>/decline")
def decline(invitation_id: int):
    invitation = _own(invitation_id)
    if not service.decline_invitation(invitation, current_user):
        return _already_answered(invitation)
    if not is_htmx():
        flash(f"You declined the invitation to “{invitation.board.name}”.", "info")
    return fragment_or_redirect(  # for htmx: the row goes; the badge comes down
        url_for("notifications.index"), lambda: notifications.badge_html(current_user.id, oob=True)
    )


def _own(invitation_id: int) -> Invitation:
    return own(Invitation, invitation_id, "invitee_id")


def _already_answered(invitation: Invitation):
    flash(f"You already answered the invitation to “{invitation.board.name}”.", "info")
    if invitation.status == ACCEPTED:
        return go(url_for("boards.show", board_id=invitation.board_id))
    return go(url_for("notifications.index"))


# -- invite links -------------------------------------------------------------------------


def join_limit() -> str:
    return current_app.config["JOIN_LIMIT_PER_IP"]


@bp.route("/join/<code>", methods=["GET", "POST"])
@limiter.limit(join_limit)
def join(code: str):
    link = InviteLink.usable(code)
    if link is None:
        return render_template("errors/page.html", code=404, message=BAD_LINK), 404
    board = link.board
    if board.is_member(current_user):
        return redirect(url_for("boards.show", board_id=board.id))
    if service.removed_from(board, current_user):
        return render_template("errors/page.html", code=403, message=REMOVED), 403
    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        service.join_board(board, current_user)
        flash(f"You joined “{board.name}”.", "success")
        return redirect(url_for("boards.show", board_id=board.id))
    return render_template("boards/invitations/join.html", board=board, code=code, form=form)
