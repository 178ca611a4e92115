"""The data model. Each module holds one model and the behaviour that belongs to it."""

from taskflow.models.board import Board, Membership
from taskflow.models.board_import import BoardImport
from taskflow.models.checklist import ChecklistItem
from taskflow.models.column import Column
from taskflow.models.comment import TaskThreadComment
from taskflow.models.invitation import Invitation, InviteLink, Removal
from taskflow.models.label import Label
from taskflow.models.message import ChatMessage
from taskflow.models.notification import Notification
from taskflow.models.reaction import Reaction
from taskflow.models.room import ChatRoom
from taskflow.models.session import UserSession
from taskflow.models.task import PRIORITIES, Task
from taskflow.models.task_event import TaskEvent
from taskflow.models.user import User
from taskflow.models.watch import TaskWatch

__all__ = [
    "Board",
    "BoardImport",
    "ChatMessage",
    "ChatRoom",
    "ChecklistItem",
    "Column",
    "Invitation",
    "InviteLink",
    "Label",
    "Membership",
    "Notification",
    "PRIORITIES",
    "Reaction",
    "Removal",
    "Task",
    "TaskEvent",
    "TaskThreadComment",
    "TaskWatch",
    "User",
    "UserSession",
]
