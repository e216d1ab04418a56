"""Per-sender limits: a flood from one number is kept, but not turned into reports and cards.

Checked before any NLP, on the counts read with the text's context (one statement,
`flows/store/text_context.py`), so a number sending hundreds of texts costs other residents
little. Beyond `texts_per_minute` no text of the sender is acted on; beyond `reports_per_hour` a
text that would open a new report is not (an intake already under way finishes). Each limited
text is stored as `limited` (never left `received`), the sender gets one notice an hour, and
moderators one line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from flows.city import SenderLimits
from flows.conversation.catalog import Catalog
from flows.conversation.keywords import parse_keyword
from flows.conversation.state import ConversationState
from flows.handling.incoming import IncomingMessage
from flows.handling.run_writes import ReceiveFirst
from flows.statuses import InboundState
from flows.store import Store, TextContext

log = logging.getLogger(__name__)

LimitKind = Literal["texts_per_minute", "reports_per_hour"]


@dataclass(frozen=True)
class Limited:
    kind: LimitKind
    # The first limited text in an hour: the sender is told, and so are moderators.
    first: bool


def limit_passed(
    *, limits: SenderLimits, context: TextContext, unstored: int = 0
) -> LimitKind | None:
    """The limit the sender's text passes, if any, from the counts read with its context.

    `unstored`: 1 when the text is not stored yet (asked before the one transaction that
    stores and answers it), so that it counts."""
    if context.texts_last_minute + unstored > limits.texts_per_minute:
        return "texts_per_minute"
    state = _state(context)
    # A moderator's question waiting for its answer: the text answers it, files nothing.
    starting_report = state.phase != "intake" and state.awaiting_answer is None
    if starting_report and context.reports_last_hour >= limits.reports_per_hour:
        return "reports_per_hour"
    return None


def busy(*, limits: SenderLimits, context: TextContext) -> bool:
    """A sender texting back to back (half the minute's limit or more): their model work is
    queued after everyone else's (a flood must not make other residents' filings wait; a
    person's crisis words are still caught at once by the reply's own screening)."""
    return context.texts_last_minute >= max(3, limits.texts_per_minute // 2)


def _state(context: TextContext) -> ConversationState:
    saved = context.conversation.state
    return ConversationState.from_dict(saved) if saved else ConversationState()


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
    """The runner asks it first, for each new text: whether it passes a limit (`check`); a
    limited text is kept (`keep_unstored`, or `hold` once stored) and its replies returned."""

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

    def check(self, context: TextContext, *, body: str, unstored: int) -> Limited | None:
        """The limit this text passes, if any. `unstored`: 1 when asked before the text is
        stored (it counts as if it were)."""
        if parse_keyword(body) is not None:
            return None  # STOP, HELP, STATUS … always work
        kind = limit_passed(limits=self._limits, context=context, unstored=unstored)
        if kind is None:
            return None
        return Limited(kind=kind, first=context.limited_last_hour == 0)

    def busy(self, context: TextContext) -> bool:
        """Whether the sender is texting back to back (`busy`): their model work goes last."""
        return busy(limits=self._limits, context=context)

    def keep_unstored(
        self, context: TextContext, message: IncomingMessage, limited: Limited
    ) -> tuple[str, ...]:
        """A limited text not stored yet: stored as `limited` with its reply in one write.
        Raises `ReceiveFirst` when its provider id is stored already (a retry)."""
        reply = self._reply(context, limited)
        with self._store.transaction() as session:
            stored = self._store.inbound.insert_answered(
                session,
                channel=message.channel,
                provider_id=message.provider_id,
                contact=context.contact,
                body=message.body,
                media_urls=list(message.media_urls),
                reply=reply,
                state=InboundState.LIMITED,
            )
        if stored is None:
            raise ReceiveFirst
        self._tell_moderators(limited)
        return (reply,) if reply else ()

    def hold(self, context: TextContext, *, inbound_id: int, body: str) -> tuple[str, ...] | None:
        """A stored text (`context` read after it was stored): kept as `limited` if it passes a
        limit, with the replies; None to go on."""
        limited = self.check(context, body=body, unstored=0)
        if limited is None:
            return None
        reply = self._reply(context, limited)
        self._store.inbound.mark_limited(
            inbound_id=inbound_id, contact=context.contact, reply=reply
        )
        self._tell_moderators(limited)
        return (reply,) if reply else ()

    def _reply(self, context: TextContext, limited: Limited) -> str:
        """The sender is told once an hour (never after STOP)."""
        contact = context.contact
        if not limited.first or contact.opted_out:
            return ""
        language = _state(context).language or contact.language
        if language not in self._catalog.languages:
            language = self._catalog.languages[0]
        return self._catalog.render("sender_limited", language)

    def _tell_moderators(self, limited: Limited) -> None:
        if not limited.first:
            return
        log.warning("a sender passed the %s limit; their texts are kept", limited.kind)
        for hook in self._on_limited:
            try:
                hook(moderator_line(limited, self._limits))
            except Exception:
                log.exception("sender-limit notice failed")
