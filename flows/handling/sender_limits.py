"""Per-sender limits: a flood from one number is kept, but not turned into reports and cards.

Checked before any NLP, with two counting queries, so a number sending hundreds of texts costs
other residents little. Beyond `texts_per_minute` no text of the sender is acted on; beyond
`reports_per_hour` a text that would open a new report is not (an intake already under way
finishes). Each limited text is stored as `limited` (never left `received`), the sender gets one
notice an hour, and moderators one line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from flows.city import SenderLimits
from flows.conversation.catalog import Catalog
from flows.conversation.keywords import parse_keyword
from flows.conversation.state import ConversationState
from flows.models import Contact
from flows.statuses import InboundState
from flows.store import Store

log = logging.getLogger(__name__)

LimitKind = Literal["texts_per_minute", "reports_per_hour"]
_MINUTE = timedelta(minutes=1)
_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Limited:
    kind: LimitKind
    # The first limited text in an hour: the sender is told, and so are moderators.
    first: bool


def check_sender(
    *,
    store: Store,
    limits: SenderLimits,
    contact_id: int,
    now: datetime,
    starting_report: bool,
    unstored: int = 0,
) -> Limited | None:
    """Whether the text just received (and counted) from `contact_id` passes a limit.

    `starting_report`: no intake is under way, so the text would open a new report.
    `unstored`: 1 when the text is not stored yet (asked before the one transaction that
    stores and answers it), so that it counts."""
    kind: LimitKind | None = None
    texts = store.inbound.count_from(contact_id, since=now - _MINUTE) + unstored
    if texts > limits.texts_per_minute:
        kind = "texts_per_minute"
    elif (
        starting_report
        and store.reports.count_filed_by(contact_id, since=now - _HOUR) >= limits.reports_per_hour
    ):
        kind = "reports_per_hour"
    if kind is None:
        return None
    earlier = store.inbound.count_from(contact_id, since=now - _HOUR, state=InboundState.LIMITED)
    return Limited(kind=kind, first=earlier == 0)


def moderator_line(limited: Limited, limits: SenderLimits) -> str:
    """The one line moderators see (no number, no words: a sender is never identified)."""
    what = (
        f"more than {limits.texts_per_minute} texts in a minute"
        if limited.kind == "texts_per_minute"
        else f"{limits.reports_per_hour} reports in an hour"
    )
    return (
        f"One sender passed the limit of {what}. Their texts are kept but not filed for now; "
        "they were told once."
    )


class SenderGate:
    """The runner asks it first, for each new text: None (go on) or the replies of a limited
    text, already recorded as `limited`."""

    def __init__(
        self,
        *,
        store: Store,
        limits: SenderLimits,
        catalog: Catalog,
        on_limited: Sequence[Callable[[str], None]] = (),
    ) -> None:
        self._store = store
        self._limits = limits
        self._catalog = catalog
        self._on_limited = list(on_limited)

    def would_hold(self, contact: Contact, *, body: str) -> bool:
        """Whether `hold` would keep this text, asked before it is stored (it counts as if it
        were). The runner then stores it on its own, for `hold` to keep."""
        return self._limited(contact, body=body, unstored=1) is not None

    def hold(self, contact: Contact, *, inbound_id: int, body: str) -> tuple[str, ...] | None:
        found = self._limited(contact, body=body, unstored=0)
        if found is None:
            return None
        limited, state = found
        told = limited.first and not contact.opted_out
        language = state.language or contact.language
        if language not in self._catalog.languages:
            language = self._catalog.languages[0]
        reply = self._catalog.render("sender_limited", language) if told else ""
        self._store.inbound.mark_limited(inbound_id=inbound_id, contact=contact, reply=reply)
        if limited.first:
            log.warning("a sender passed the %s limit; their texts are kept", limited.kind)
            for hook in self._on_limited:
                try:
                    hook(moderator_line(limited, self._limits))
                except Exception:
                    log.exception("sender-limit notice failed")
        return (reply,) if reply else ()

    def _limited(
        self, contact: Contact, *, body: str, unstored: int
    ) -> tuple[Limited, ConversationState] | None:
        if parse_keyword(body) is not None:
            return None  # STOP, HELP, STATUS … always work
        saved = self._store.conversations.load(contact)
        state = ConversationState.from_dict(saved.state) if saved.state else ConversationState()
        limited = check_sender(
            store=self._store,
            limits=self._limits,
            contact_id=contact.id or 0,
            now=self._store.clock.now(),
            # A moderator's question waiting for its answer: the text answers it, files nothing.
            starting_report=state.phase != "intake" and state.awaiting_answer is None,
            unstored=unstored,
        )
        return None if limited is None else (limited, state)
