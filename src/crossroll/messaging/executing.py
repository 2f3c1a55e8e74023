"""What an executing message is and the knobs a destination judges it by.

An executing message is the ``ExecutingMessage(bytes32 indexed msgHash, Identifier id)`` log
of the CrossL2Inbox predeploy (specs/interop/predeploys.md): the claim that the log at ``id``
has payload hash ``msgHash``.  :mod:`.fastpath` checks the claim against the source chain.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from ..errors import DecodingError
from ..types import Hash32, Log
from .identifier import Identifier
from .l2tol2 import EXECUTING_MESSAGE_TOPIC, executing_of_log

__all__ = [
    "EXECUTING_MESSAGE_TOPIC",
    "EXPIRY_WINDOW",
    "ExecutingMessage",
    "InteropRules",
    "executing_messages",
]

#: Seconds after its initiating message's timestamp that a message can still be executed:
#: EXPIRY_WINDOW = 7 days, as specs/interop/message-expiry.md ("Activation") fixes it and
#: op-core enforces it (MessageExpiryTimeSecondsInterop = 604800).  Older revisions of
#: messaging.md said 180 days and of derivation.md 30 days.
EXPIRY_WINDOW = 7 * 24 * 3600


@dataclasses.dataclass(frozen=True, slots=True)
class InteropRules:
    """What a destination accepts.  ``dependency_set`` None: every rollup of the network;
    otherwise, as Supersim's ``--dependency.set``, the listed chains accept each other's
    messages and a chain outside the list only its own.  ``delay``: seconds an initiating
    message must be old before it executes (Supersim's ``--interop.delay``)."""

    dependency_set: frozenset[int] | None = None
    expiry_window: int = EXPIRY_WINDOW
    delay: int = 0

    def allows(self, source: int, destination: int) -> bool:
        """Whether ``destination`` may execute messages initiated on ``source``."""
        if source == destination or self.dependency_set is None:
            return True
        return source in self.dependency_set and destination in self.dependency_set


@dataclasses.dataclass(frozen=True, slots=True)
class ExecutingMessage:
    """An ``ExecutingMessage`` log of the CrossL2Inbox: a claim that the log at ``id``
    has payload hash ``msg_hash``."""

    msg_hash: Hash32
    id: Identifier

    @classmethod
    def from_log(cls, log: Log) -> ExecutingMessage | None:
        """The message ``log`` is, or None if it is not a CrossL2Inbox ExecutingMessage."""
        try:
            return cls(*executing_of_log(log))
        except DecodingError:
            return None


def executing_messages(logs: Iterable[Log]) -> list[ExecutingMessage]:
    """The executing messages among ``logs`` (a topic scan: cheap when there are none)."""
    found = []
    for log in logs:
        if log.topics and log.topics[0] == EXECUTING_MESSAGE_TOPIC:
            msg = ExecutingMessage.from_log(log)
            if msg is not None:
                found.append(msg)
    return found
