"""Invitations and joining, each change one call (see changes.py, "who commits"): the owner
sends or cancels an invitation and resets or disables the invite link; the invitee accepts
(joins) or declines. An invitation is pushed to the invitee's personal stream like a
notification (boards/invitations.py says why it is not one)."""

from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from taskflow import security
from taskflow.boards.changes import Refused
from taskflow.chat import room_service
from taskflow.extensions import db
from taskflow.models import Board, User
from taskflow.models.invitation import ACCEPTED, DECLINED, Invitation, InviteLink, Removal
from taskflow.notifications import service as notifications
from taskflow.realtime import fragments
from taskflow.timezones import zone_of

TOO_MANY = "You have sent many invitations in a short time. Try again in a while."


def send_invitation(board: Board, actor: User, username: str) -> Invitation:
    """Invite a user to the board as `actor` (its owner: the caller checks); Refused says why
    not. Every attempt counts, before the name is looked up: counted only when the user
    existed, the form answered unknown names without end, and told anyone which usernames
    exist."""
    if not _may_invite(actor.id):
        raise Refused(TOO_MANY, 429)
    user = User.by_username(username)
    if user is None:
        raise Refused("No user has that username.")
    if board.is_member(user):
        raise Refused(f"{user.username} is already a member.")
    if Invitation.pending_for(board, user):
        raise Refused(f"{user.username} is already invited.")
    invitation = Invitation(board=board, invitee=user, invited_by_id=actor.id)
    db.session.add(invitation)
    try:
        db.session.flush()
    except IntegrityError:  # the same invitation, sent at the same moment from another tab
        db.session.rollback()
        raise Refused(f"{user.username} is already invited.") from None
    html = fragments.render(  # for the invitee only: in their zone
        "boards/invitations/_item_oob.html", invitation=invitation, zone=zone_of(user)
    )
    notifications.push(user.id, html=html)
    db.session.commit()
    return invitation


def _may_invite(user_id: int) -> bool:
    """Attempts to invite per owner, counted in Redis; fails open like the message limit
    (inviting is not worth refusing for want of a counter)."""
    return security.count("INVITE_LIMIT_PER_OWNER", "invite", str(user_id))


def cancel_invitation(invitation: Invitation) -> bool:
    """Withdraw a pending invitation (its invitee's pages are told); False when it was
    already answered (nothing changes)."""
    if not invitation.is_pending:
        return False
    invitation_id, invitee_id = invitation.id, invitation.invitee_id
    db.session.delete(invitation)
    push_withdrawn([(invitation_id, invitee_id)])
    db.session.commit()
    return True


def reset_invite_link(board: Board, actor: User, valid_for: timedelta | None) -> InviteLink:
    """A new invite link (any earlier one stops working)."""
    link = InviteLink.reset(board, actor, valid_for)
    db.session.commit()
    return link


def disable_invite_link(board: Board) -> None:
    link = InviteLink.of_board(board)
    if link is not None:
        db.session.delete(link)
        db.session.commit()


def pending_of(board: Board) -> list[tuple[int, int]]:
    """(invitation id, invitee id) of the board's open invitations, read before they go."""
    return [(i.id, i.invitee_id) for i in Invitation.pending_of_board(board)]


def push_withdrawn(withdrawn: list[tuple[int, int]]) -> None:
    """Once the change commits, take cancelled invitations off the invitees' open pages,
    and their badges down."""
    for invitation_id, invitee_id in withdrawn:
        html = f'<li id="invitation-{invitation_id}" hx-swap-oob="delete"></li>'
        notifications.push(invitee_id, html=html)


def accept_invitation(invitation: Invitation, user: User) -> bool:
    """The invitee joins the board; False when the invitation was already answered."""
    if not invitation.answer(ACCEPTED):
        db.session.rollback()
        return False
    join_board(invitation.board, user)
    return True


def decline_invitation(invitation: Invitation, user: User) -> bool:
    """False when the invitation was already answered."""
    if not invitation.answer(DECLINED):
        db.session.rollback()
        return False
    notifications.push(user.id)  # the badge on the user's other tabs
    db.session.commit()
    return True


def join_board(board: Board, user: User) -> None:
    """Make the user a member (accepting an invitation, or by the invite link), put them in
    the board's open rooms (the link to #general works at once) and close their open
    invitation to the board."""
    join_open_rooms = room_service.joining_open_rooms(board.id)  # read before any write
    for _ in range(2):
        pending = Invitation.pending_for(board, user)
        if pending is not None:
            pending.answer(ACCEPTED)
        board.add_member(user)
        Removal.lift(board, user)  # a member again: a later removal is a new one
        notifications.push(user.id)  # the badge on the user's other tabs
        try:
            join_open_rooms(user.id)  # its statements flush the membership: inside the try
            db.session.commit()
            return
        except IntegrityError:  # they joined at this moment another way: now a member
            db.session.rollback()


def removed_from(board: Board, user: User) -> bool:
    """Whether the owner removed the user and has not invited them since: the invite link
    is not theirs to use (the owner decides whether they come back)."""
    return Removal.applies(board, user) and Invitation.pending_for(board, user) is None
