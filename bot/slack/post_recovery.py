"""What becomes of a Slack post that did not go through: retried, looked up, given up, surfaced.

- Every post is retried for `RETRY_FOR` from the moment it was queued: rate limits wait for
  Slack's Retry-After, server and network errors back off (capped, so the end of an outage is
  noticed within minutes). A channel that is missing, archived or without the bot needs a
  person: the card is surfaced at once on a card in the triage channel and still retried every
  `CHANNEL_RETRY`. Only a post whose budget is spent is given up, and a card given up is
  surfaced in triage.
- Slack's chat.postMessage has no idempotency key, so each card carries its key as message
  metadata (`card_metadata`); a card post whose outcome is unknown is `uncertain`, and its next
  attempt first looks for the key in the channel's history (`settle_uncertain`), taking the card
  found there instead of posting again. Until Slack can say, nothing is posted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.slack.content import CardContent
from bot.slack.gateway import (
    SlackChannelError,
    SlackGateway,
    SlackPermanentError,
    SlackTransientError,
)
from flows.store import ClaimedPost, Store, card_key

log = logging.getLogger(__name__)

# How long a post is retried, whatever the failure, before it is given up.
RETRY_FOR = timedelta(days=1)
# A channel problem waits for a human: retried every few minutes, so inviting the bot is enough.
CHANNEL_RETRY = timedelta(minutes=10)
# Looking for an uncertain card: how far our clock may be ahead of Slack's.
CLOCK_SKEW = timedelta(minutes=2)
# The metadata event type of a card (its payload: the card's key, nothing about the report).
CARD_EVENT = "cpps_card"

FALLBACK = ":fallback:"


def fallback_destination(triage: str, destination: str) -> str:
    """The destination of a card shown in triage because `destination`'s channel failed."""
    return f"{triage}{FALLBACK}{destination}"


def acting_destination(destination: str) -> str:
    """The destination a card's buttons act for: a fallback card acts for the one that failed."""
    return destination.split(FALLBACK, 1)[1] if FALLBACK in destination else destination


def card_metadata(key: str) -> dict[str, Any]:
    """The Slack message metadata a card is posted with, to find it again."""
    return {"event_type": CARD_EVENT, "event_payload": {"key": key}}


def default_backoff(attempt: int) -> timedelta:
    """15 s, 30 s, 1 min … then every 5 minutes."""
    return timedelta(seconds=min(15 * 2 ** min(attempt - 1, 16), 300))


class PostRecovery:
    """The card poster's answers to a failed or uncertain post (each returns the post's
    outcome: "posted", "retried" or "failed")."""

    def __init__(
        self,
        *,
        store: Store,
        gateway: SlackGateway,
        content: CardContent,
        triage: str | None,
        channel: Callable[[str], str],
        backoff: Callable[[int], timedelta] = default_backoff,
    ) -> None:
        self._store = store
        self._gateway = gateway
        self._content = content
        self._triage = triage
        self._channel = channel  # a destination's channel name
        self._backoff = backoff

    def settle_uncertain(self, post: ClaimedPost) -> str | None:
        """An earlier attempt at this card may have been posted unheard: look for it in the
        channel. "posted" if it is there; None if it is not (post it now); otherwise the card
        stays uncertain and waits: posting blind could show it twice."""
        try:
            found = self._gateway.find_posted(
                channel=post.channel,
                metadata=card_metadata(post.key),
                since=post.created_at - CLOCK_SKEW,
            )
        except SlackTransientError as exc:
            return self.retry(post, f"lookup {exc.code}", self.wait(post, exc), uncertain=True)
        except (SlackChannelError, SlackPermanentError) as exc:
            # The bot cannot read the channel (not in it, or the history scope was never
            # granted): a person must act, as for a channel it cannot post to.
            code = f"lookup {exc.code}"
            self.surface(post, code)
            return self.retry(post, code, CHANNEL_RETRY, uncertain=True)
        if found is None:
            return None
        log.info("slack post #%s: an earlier attempt had reached Slack", post.id)
        self._store.slack_posts.record_result(
            post_id=post.id, status="posted", channel_id=found[0], ts=found[1]
        )
        return "posted"

    def wait(self, post: ClaimedPost, exc: SlackTransientError) -> timedelta:
        """Slack's Retry-After when rate limited, else the backoff."""
        if exc.retry_after is not None:
            return timedelta(seconds=exc.retry_after)
        return self._backoff(post.attempts)

    def retry(
        self, post: ClaimedPost, code: str, wait: timedelta, *, uncertain: bool = False
    ) -> str:
        """Pending (or uncertain: looked up first) again after `wait`, or given up once the
        time budget is spent."""
        retry_at = self._store.clock.now() + wait
        if retry_at - post.created_at > RETRY_FOR:
            return self.give_up(post, code)
        log.warning(
            "slack post #%s (report #%s) will be retried: %s", post.id, post.report_id, code
        )
        self._store.slack_posts.record_result(
            post_id=post.id,
            status="uncertain" if uncertain else "pending",
            error=code,
            retry_at=retry_at,
        )
        return "retried"

    def give_up(self, post: ClaimedPost, code: str) -> str:
        log.error("slack post #%s (report #%s) failed: %s", post.id, post.report_id, code)
        self._store.slack_posts.record_result(post_id=post.id, status="failed", error=code)
        self.surface(post, code)
        return "failed"

    def surface(self, post: ClaimedPost, code: str) -> None:
        """Put a failed card before the triage desk (once), so the report is not lost."""
        if post.kind != "card" or self._triage is None or post.destination == self._triage:
            return
        if FALLBACK in post.destination:
            return
        name = self._content.destination_name(post.destination)
        fallback = fallback_destination(self._triage, post.destination)
        notice = (
            f"Could not post this report to #{post.channel.lstrip('#')} for {name} ({code}). "
            "Check the channel and invite the bot (it is retried every few minutes for a day "
            "from the report), or reroute it."
        )
        with self._store.transaction() as session:
            self._store.slack_posts.queue(
                session=session,
                key=card_key(post.report_id, fallback),
                report_id=post.report_id,
                kind="card",
                destination=fallback,
                channel=self._channel(self._triage),
                text=notice,
            )
