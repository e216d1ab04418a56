"""A resident texting the real `ConversationRunner`: a thin driver, and what the store then holds.

`Resident.send` moves the injected clock on, tells the test analyser what screening finds for the
text (the test dictates language, urgency and district), and hands the runner an
`IncomingMessage`: the replies are exactly what the webhook would answer. Everything after that
(filing, appending, status look-ups, erasure, opt-out, the state between messages) is the real
service's, on a real SQLite store, and is read back from that store. Texts sent later (idle
timeouts, check-ins) come through the real outbox.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.outbox import OutboxDispatcher
from flows.checkins.jobs import FollowUps
from flows.clocks import FixedClock
from flows.conversation.catalog import Catalog
from flows.conversation.flowdef import Flow
from flows.conversation.state import ConversationState
from flows.handling.incoming import IncomingMessage
from flows.handling.runner import ConversationRunner
from flows.models import Checkin, Contact, Report
from flows.store import Store
from nlp.types import Language, Screening, Urgency
from tests.fakes.notifier import RecordingNotifier
from tests.recording_analyser import RecordingAnalyser
from tests.support.analyser import KeywordAnalyser
from tests.support.checkins import RecordingSender

START = datetime(2026, 5, 1, 18, 30, tzinfo=UTC)  # 13:30 in Riverton: no quiet hours
PHONE = "+15558675309"
_sids = itertools.count(1)


@dataclass(frozen=True)
class Filed:
    """A report as the store holds it, with the reporter's own words decrypted."""

    ref: str
    story: str
    anonymous: bool
    contact_ok: bool
    consent_checkins: bool
    language: str
    urgency: str
    district: str | None
    place_text: str | None
    when_text: str | None
    destinations: tuple[str, ...]


@dataclass
class Resident:
    runner: ConversationRunner
    store: Store
    clock: FixedClock
    flow: Flow
    catalog: Catalog
    screening: KeywordAnalyser  # the test analyser, told what each text screens as
    analyser: RecordingAnalyser  # what the runner analysed
    followups: FollowUps
    dispatcher: OutboxDispatcher
    sender: RecordingSender
    # Texts the runner asked to analyse ahead (story, then the answers after it), per call.
    prefetched: list[tuple[str, ...]] = field(default_factory=list)
    phone: str = PHONE
    # What moderators were told outside report threads (sender limits).
    notifier: RecordingNotifier = field(default_factory=RecordingNotifier)
    # Reports whose cards were announced (the runner's or the worker's `on_report_filed`).
    cards: list[int] = field(default_factory=list)
    _read: int = 0  # how many of sender.sent this resident has read

    # -- what the resident does -----------------------------------------------------------------

    def send(
        self,
        text: str,
        *,
        after: float = 30,
        language: Language = "en",
        urgency: Urgency = "none",
        district: str | None = None,
    ) -> list[str]:
        """Text the line `after` seconds after the previous event; the replies it gets."""
        self.clock.advance(timedelta(seconds=after))
        self.screening.dictate(
            text, Screening(language=language, urgency=urgency, district=district)
        )
        message = IncomingMessage(
            channel="sms", provider_id=f"SM{next(_sids):032d}", sender=self.phone, body=text
        )
        return list(self.runner.handle(message))

    # -- what happens later ---------------------------------------------------------------------

    def tick(self, *, after: timedelta) -> list[str]:
        """Time passes and the clock job wakes the conversations due; what reaches the resident."""
        self.clock.advance(after)
        for contact_id in self.store.conversations.due(now=self.clock.now()):
            self.runner.tick(contact_id)
        return self.texts_received()

    def asked(self, ref: str, *, after: timedelta = timedelta(days=1)) -> list[str]:
        """A moderator's question on `ref` was relayed to the resident (Moderation does this)."""
        self.clock.advance(after)
        self.runner.expect_answer(contact_id=self.contact_id, ref=ref)
        return self.texts_received()

    def screened(
        self,
        *,
        after: float = 1,
        language: Language = "en",
        urgency: Urgency = "none",
        category: str | None = None,
        language_corrected: bool = False,
    ) -> list[str]:
        """The worker's full screening of the last text adds this; what reaches the resident."""
        self.clock.advance(timedelta(seconds=after))
        screening = Screening(language=language, urgency=urgency, category=category)
        self.runner.screened(
            contact_id=self.contact_id, screening=screening, language_corrected=language_corrected
        )
        return self.texts_received()

    def checkins_sent(self, *, after: timedelta) -> list[str]:
        """Time passes and the check-in job runs; the check-ins (or nothing) the resident gets."""
        self.clock.advance(after)
        self.followups.dispatch_due()
        return self.texts_received()

    def texts_received(self) -> list[str]:
        """The outbox is dispatched; the texts to this resident not read yet."""
        self.dispatcher.dispatch_due()
        mine = [body for to, body in self.sender.sent[self._read :] if to == self.phone]
        self._read = len(self.sender.sent)
        return mine

    # -- what the store holds -------------------------------------------------------------------

    @property
    def contact(self) -> Contact:
        return self.store.contacts.get_or_create(channel="sms", address=self.phone)

    @property
    def contact_id(self) -> int:
        contact_id = self.contact.id
        assert contact_id is not None
        return contact_id

    @property
    def state(self) -> ConversationState:
        """The conversation as the next message will find it: from the database."""
        saved = self.store.conversations.load(self.contact)
        return ConversationState.from_dict(saved.state) if saved.state else ConversationState()

    def set_state(self, state: ConversationState) -> None:
        """Put the conversation in `state` (for situations a script cannot reach)."""
        contact = self.contact
        saved = self.store.conversations.load(contact)
        with self.store.transaction() as session:
            assert self.store.conversations.save(
                contact=contact,
                state=state.to_dict(),
                expected_version=saved.version,
                wake_at=None,
                session=session,
            )

    def filed(self) -> list[Filed]:
        """This resident's reports, oldest first."""
        contact = self.contact
        reports = reversed(self.store.reports.of_contact(self.contact_id))
        return [self._filed(report, contact) for report in reports]

    def _filed(self, report: Report, contact: Contact) -> Filed:
        assert report.raw_text_enc is not None
        return Filed(
            ref=report.ref,
            story=self.store.vault.decrypt(contact.wrapped_key, report.raw_text_enc),
            anonymous=report.anonymous,
            contact_ok=report.contact_ok,
            consent_checkins=report.consent_checkins,
            language=report.language,
            urgency=report.urgency,
            district=report.district,
            place_text=report.place_text,
            when_text=report.when_text,
            destinations=tuple(report.destinations),
        )

    def last_ref(self) -> str:
        return self.filed()[-1].ref

    def report(self, ref: str) -> Report:
        report = self.store.reports.by_ref(ref)
        assert report is not None, ref
        return report

    def trail(self, ref: str, action: str) -> list[str]:
        """The texts of `ref`'s audit events of kind `action` ("added_text", "answered")."""
        report_id = self.report(ref).id
        assert report_id is not None
        events = self.store.reports.events(report_id)
        return [e.detail["text"] for e in events if e.action == action]

    def checkins(self, ref: str) -> list[Checkin]:
        report_id = self.report(ref).id
        assert report_id is not None
        return self.store.checkins.of_report(report_id)

    def analysed(self) -> list[str]:
        """Every text the runner analysed (screening aside), in order."""
        return [text for text, _ in self.analyser.calls]


def msg(catalog: Catalog, key: str, language: str = "en", **params: str) -> str:
    return catalog.render(key, language, **params)
