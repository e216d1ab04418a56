"""Posts moderator cards and thread lines from their durable rows, and keeps cards up to date.

- `report_filed(report_id)` (the runner's `on_report_filed` hook) queues one card per destination
  and posts them at once; `report_changed(report_id)` refreshes every card of a report in place.
- `run_due()` (a clock job) retries what failed, as bot/slack/post_recovery.py decides (a time
  budget; a channel problem surfaced in triage; an uncertain card looked up before any repost);
  each card keeps waiting for its own channel, since a rate limit or an outage hits the triage
  channel just as well.
- A card is keyed by (report, destination) and its ts recorded, so nothing is posted twice
  (a post whose process died mid-post is `uncertain`, and looked up first).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.outbox import NotSent
from bot.slack.cards import build_card, fallback_text
from bot.slack.content import CardContent
from bot.slack.gateway import (
    SlackChannelError,
    SlackGateway,
    SlackPermanentError,
    SlackTransientError,
)
from bot.slack.post_recovery import (
    CHANNEL_RETRY,
    PostRecovery,
    acting_destination,
    card_metadata,
    default_backoff,
    fallback_destination,
)
from bot.slack.thread_lines import moderator_line, not_sent_line, reporter_line
from flows.city import CityConfig
from flows.store import ClaimedPost, Store, card_key

log = logging.getLogger(__name__)

# A thread line whose card is not posted yet waits this long (without using up an attempt).
WAIT_FOR_CARD = timedelta(seconds=30)
# How far back the sweep for reports without cards looks (the clock runs it every 15 s).
MISSING_CARD_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class PostResult:
    posted: int = 0
    updated: int = 0
    retried: int = 0
    failed: int = 0


class CardPoster:
    def __init__(
        self,
        *,
        store: Store,
        city: CityConfig,
        gateway: SlackGateway,
        content: CardContent,
        backoff: Callable[[int], timedelta] = default_backoff,
    ) -> None:
        self._store = store
        self._city = city
        self._gateway = gateway
        self._content = content
        self._backoff = backoff
        self._tz = ZoneInfo(city.city.timezone)
        self._triage = city.routing.triage if city.routing else None
        self._recovery = PostRecovery(
            store=store,
            gateway=gateway,
            content=content,
            triage=self._triage,
            channel=self._channel,
            backoff=backoff,
        )

    # -- hooks ------------------------------------------------------------------------------

    def report_filed(self, report_id: int) -> None:
        """Queue a card for every destination of a new report, then try to post them now."""
        report = self._store.reports.get(report_id)
        if report is None:
            return
        with self._store.transaction() as session:
            for destination in report.destinations:
                self._store.slack_posts.queue(
                    session=session,
                    key=card_key(report_id, destination),
                    report_id=report_id,
                    kind="card",
                    destination=destination,
                    channel=self._channel(destination),
                )
        self.run_due(report_id=report_id)

    def report_changed(self, report_id: int) -> None:
        """A moderator acted, or the reporter wrote: post what is new and refresh the cards."""
        with self._store.transaction() as session:
            self._store.slack_posts.mark_cards_stale(session=session, report_id=report_id)
        self.run_due(report_id=report_id)

    def thread_line(self, report_id: int, *, origin: str, text: str) -> None:
        """Queue a line in the thread of every card of the report, and post it now.

        `text` is posted as mrkdwn as it is: callers escape what they did not write (see
        `thread_lines.moderator_line` and `thread_lines.reporter_line`) and pass only redacted
        words.
        """
        with self._store.transaction() as session:
            report = self._store.reports.get_to_change(report_id, session=session)
            if report is None:
                return
            self._store.slack_posts.queue_report_thread(
                session=session, report=report, origin=origin, text=text, kind="thread"
            )
        self.run_due(report_id=report_id)

    def relay_line(self, report_id: int, *, kind: str, actor: str, text: str, origin: str) -> None:
        """Record in the cards' threads what a moderator relayed to the reporter (`kind`:
        "asked", "replied", "resolved"); `origin` (the modal or command) makes it once only."""
        self.thread_line(
            report_id, origin=f"{kind}:{origin}", text=moderator_line(kind, actor, text)
        )

    def message_not_sent(self, not_sent: NotSent) -> None:
        """The outbox blocked or gave up a text about this report (STOP or erasure came first,
        the provider refused it, or it expired): the thread, which may already say "relayed",
        says it was not sent."""
        self.thread_line(
            not_sent.report_id,
            origin=f"not-sent:{not_sent.message_id}",
            text=not_sent_line(not_sent.purpose, not_sent.reason),
        )

    # -- the clock job ----------------------------------------------------------------------

    def queue_missing_cards(self) -> int:
        """Queue the cards of reports filed in the last day that have none.

        `report_filed` runs after the filing has committed (on a background thread, so that the
        reporter's reply does not wait for Slack): a crash in between would leave a report no
        moderator sees. This sweep closes that gap.
        """
        since = self._store.clock.now() - MISSING_CARD_WINDOW
        missing = self._store.slack_posts.reports_without_cards(since=since)
        for report_id in missing:
            self.report_filed(report_id)
        return len(missing)

    def run_due(self, *, report_id: int | None = None) -> PostResult:
        posted = updated = retried = failed = 0
        # A failure can queue a triage card: a second round posts it without waiting for the clock.
        for _ in range(2):
            claimed = self._store.slack_posts.claim_due(report_id=report_id)
            for post in claimed:
                outcome = self._post(post)
                posted += outcome == "posted"
                retried += outcome == "retried"
                failed += outcome == "failed"
            if not claimed:
                break
        for card in self._store.slack_posts.claim_stale_cards(report_id=report_id):
            updated += self._update(card)
        return PostResult(posted=posted, updated=updated, retried=retried, failed=failed)

    # -- internals --------------------------------------------------------------------------

    def _channel(self, destination: str) -> str:
        try:
            return self._city.destination(destination).slack_channel
        except KeyError:
            triage = self._triage or destination
            return self._city.destination(triage).slack_channel

    def _post(self, post: ClaimedPost) -> str:
        if post.kind == "card" and post.uncertain:
            settled = self._recovery.settle_uncertain(post)
            if settled is not None:
                return settled
        try:
            if post.kind == "card":
                card = self._content.card(
                    post.report_id, acting_destination(post.destination), notice=post.text
                )
                channel_id, ts = self._gateway.post(
                    channel=post.channel,
                    text=fallback_text(card),
                    blocks=build_card(card, tz=self._tz),
                    metadata=card_metadata(post.key),
                )
            else:
                parent = self._thread_parent(post)
                if parent is None:
                    self._store.slack_posts.record_result(
                        post_id=post.id,
                        status="pending",
                        retry_at=self._store.clock.now() + WAIT_FOR_CARD,
                        uncount_attempt=True,
                    )
                    return "waiting"
                text = post.text or ""
                if post.kind == "answer":
                    text = reporter_line(text)
                channel_id, ts = self._gateway.post(
                    channel=parent[0], text=text, thread_ts=parent[1]
                )
        except SlackTransientError as exc:
            # Only a card can be looked up: a thread line with no answer is posted again.
            uncertain = post.kind == "card" and (post.uncertain or exc.uncertain)
            return self._recovery.retry(
                post, exc.code, self._recovery.wait(post, exc), uncertain=uncertain
            )
        except SlackChannelError as exc:
            self._recovery.surface(post, exc.code)
            return self._recovery.retry(
                post, exc.code, CHANNEL_RETRY, uncertain=post.kind == "card" and post.uncertain
            )
        except SlackPermanentError as exc:
            return self._recovery.give_up(post, exc.code)
        self._store.slack_posts.record_result(
            post_id=post.id, status="posted", channel_id=channel_id, ts=ts
        )
        return "posted"

    def _thread_parent(self, post: ClaimedPost) -> tuple[str, str] | None:
        """(channel ID, ts) of the card whose thread this line goes to, once it is posted."""
        card = self._store.slack_posts.card_post(post.report_id, post.destination)
        if card is not None and card.status == "posted" and card.channel_id and card.ts:
            return card.channel_id, card.ts
        if self._triage is not None:
            fallback = self._store.slack_posts.card_post(
                post.report_id, fallback_destination(self._triage, post.destination)
            )
            if fallback is not None and fallback.channel_id and fallback.ts:
                return fallback.channel_id, fallback.ts
        return None

    def _update(self, card: ClaimedPost) -> int:
        if not (card.channel_id and card.ts):
            return 0
        try:
            data = self._content.card(
                card.report_id, acting_destination(card.destination), notice=card.text
            )
            self._gateway.update(
                channel_id=card.channel_id,
                ts=card.ts,
                text=fallback_text(data),
                blocks=build_card(data, tz=self._tz),
            )
        except SlackTransientError as exc:
            wait = timedelta(seconds=exc.retry_after) if exc.retry_after else self._backoff(1)
            self._store.slack_posts.record_result(
                post_id=card.id,
                status="posted",
                stale=True,
                error=exc.code,
                retry_at=self._store.clock.now() + wait,
            )
            return 0
        except (SlackChannelError, SlackPermanentError) as exc:
            log.warning("card #%s of report #%s not updated: %s", card.id, card.report_id, exc.code)
            self._store.slack_posts.record_result(post_id=card.id, status="posted", error=exc.code)
            return 0
        return 1
