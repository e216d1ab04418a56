"""Slack posts (moderator cards and thread lines) as durable rows, and Events API de-duplication.

Posting follows the outbox's discipline: the row is written in the same transaction as the change
that calls for it, then claimed atomically and sent; the result (Slack's channel ID and ts, a
retry time, or a failure) is recorded. A card is keyed by (report, destination), so it is never
posted twice however often it is queued. A card post whose outcome is unknown (no answer came, or
its process died mid-post) is `uncertain`: its next attempt first looks for it in the channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from flows.models import Report, SlackEventSeen, SlackPost
from flows.statuses import ReportState, SlackPostStatus
from flows.store.base import QueryGroup

# A claim older than this was lost in a crash: the row is tried again. Longer than one post can
# take (the Slack client's 10 s timeout, with its one retry on a dropped connection), short
# enough that a card held by a dead process reaches moderators within a minute (with the
# clock's 15 s pass).
STALE_CLAIM = timedelta(seconds=40)


@dataclass(frozen=True)
class ClaimedPost:
    id: int
    key: str
    report_id: int
    kind: str
    destination: str
    channel: str
    channel_id: str | None
    ts: str | None
    text: str | None
    attempts: int
    # When the post was queued: retries are budgeted in time from here, and an uncertain card
    # is looked for in the channel from here on.
    created_at: datetime
    # An earlier attempt may have been carried out by Slack unheard (a timeout, or a claim left
    # by a process that died): look before posting again.
    uncertain: bool = False


def card_key(report_id: int, destination: str) -> str:
    return f"card:{report_id}:{destination}"


def _claimed(row: SlackPost, *, uncertain: bool = False) -> ClaimedPost:
    assert row.id is not None
    return ClaimedPost(
        id=row.id,
        key=row.key,
        report_id=row.report_id,
        kind=row.kind,
        destination=row.destination,
        channel=row.channel,
        channel_id=row.channel_id,
        ts=row.ts,
        text=row.text,
        attempts=row.attempts,
        created_at=row.created_at,
        uncertain=uncertain,
    )


class SlackPostQueries(QueryGroup):
    def queue(
        self,
        *,
        session: Session,
        key: str,
        report_id: int,
        kind: str,
        destination: str,
        channel: str,
        text: str | None = None,
    ) -> bool:
        """Queue one post; False when a post with this key already exists (nothing to do)."""
        now = self._db.clock.now()
        return self._db.insert_ignoring_conflicts(
            session,
            SlackPost,
            {
                "key": key,
                "report_id": report_id,
                "kind": kind,
                "destination": destination,
                "channel": channel,
                "text": text,
                "status": SlackPostStatus.PENDING,
                "stale": False,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            },
        )

    def queue_report_thread(
        self, *, session: Session, report: Report, origin: str, text: str, kind: str = "thread"
    ) -> None:
        """A line for the thread of every card of the report (one per destination, once).

        kind "thread": moderator-side mrkdwn, posted as it is; kind "answer": the reporter's
        redacted words, framed and escaped by the poster. The channel is the card's own.
        """
        assert report.id is not None
        for destination in report.destinations:
            self.queue(
                session=session,
                key=f"thread:{report.id}:{destination}:{origin}"[:160],
                report_id=report.id,
                kind=kind,
                destination=destination,
                channel="",
                text=text,
            )

    def claim_due(self, *, limit: int = 50, report_id: int | None = None) -> list[ClaimedPost]:
        """Atomically move due rows (pending or uncertain) to `posting`; cards first. A claim
        left `posting` for `STALE_CLAIM` belongs to a process that died mid-post: it is taken
        over as uncertain (Slack may have carried the post out before the crash)."""
        now = self._db.clock.now()
        with self._db.transaction() as session:
            query = (
                select(SlackPost)
                .where(
                    or_(
                        col(SlackPost.status).in_(
                            [SlackPostStatus.PENDING, SlackPostStatus.UNCERTAIN]
                        )
                        & (col(SlackPost.next_attempt_at) <= now),
                        (col(SlackPost.status) == SlackPostStatus.POSTING)
                        & (col(SlackPost.updated_at) <= now - STALE_CLAIM),
                    )
                )
                # Cards before thread lines: a line waits for its card.
                .order_by(col(SlackPost.kind) != "card", col(SlackPost.id))
                .limit(limit)
            )
            if report_id is not None:
                query = query.where(col(SlackPost.report_id) == report_id)
            query = self._db.claiming(query)
            claimed: list[ClaimedPost] = []
            for row in session.exec(query).all():
                uncertain = row.status != SlackPostStatus.PENDING
                row.status = SlackPostStatus.POSTING
                row.attempts += 1
                row.updated_at = now
                session.add(row)
                claimed.append(_claimed(row, uncertain=uncertain))
        return claimed

    def claim_stale_cards(
        self, *, limit: int = 50, report_id: int | None = None
    ) -> list[ClaimedPost]:
        """Posted cards whose report changed: clear the flag now, update them after."""
        now = self._db.clock.now()
        with self._db.transaction() as session:
            query = (
                select(SlackPost)
                .where(
                    col(SlackPost.kind) == "card",
                    col(SlackPost.status) == SlackPostStatus.POSTED,
                    col(SlackPost.stale).is_(True),
                    or_(
                        col(SlackPost.next_attempt_at).is_(None),
                        col(SlackPost.next_attempt_at) <= now,
                    ),
                )
                .order_by(col(SlackPost.id))
                .limit(limit)
            )
            if report_id is not None:
                query = query.where(col(SlackPost.report_id) == report_id)
            query = self._db.claiming(query)
            claimed: list[ClaimedPost] = []
            for row in session.exec(query).all():
                row.stale = False
                row.updated_at = now
                session.add(row)
                claimed.append(_claimed(row))
        return claimed

    def record_result(
        self,
        *,
        post_id: int,
        status: str,
        channel_id: str | None = None,
        ts: str | None = None,
        error: str | None = None,
        retry_at: datetime | None = None,
        stale: bool | None = None,
        uncount_attempt: bool = False,
    ) -> None:
        """After a post's API call: `status` is a `SlackPostStatus` (or its value)."""
        values: dict[str, object] = {
            "status": SlackPostStatus(status),
            "last_error": error[:200] if error else None,
            "next_attempt_at": retry_at,
            "updated_at": self._db.clock.now(),
        }
        if channel_id is not None:
            values["channel_id"] = channel_id
        if ts is not None:
            values["ts"] = ts
        if stale is not None:
            values["stale"] = stale
        if uncount_attempt:
            values["attempts"] = col(SlackPost.attempts) - 1
        with self._db.transaction() as session:
            session.execute(update(SlackPost).where(col(SlackPost.id) == post_id).values(**values))

    def mark_cards_stale(self, *, session: Session, report_id: int) -> None:
        """The report changed: every card of it shows the new state at the next update."""
        session.execute(
            update(SlackPost)
            .where(col(SlackPost.report_id) == report_id, col(SlackPost.kind) == "card")
            .values(stale=True)
            .execution_options(synchronize_session=False)
        )

    def reports_without_cards(self, *, since: datetime, limit: int = 100) -> list[int]:
        """Reports routed since `since` whose cards were never queued (a crash after filing).
        A report still `new` is not routed yet (its analysis comes late): no card is due."""
        has_card = (
            select(SlackPost.id)
            .where(col(SlackPost.report_id) == col(Report.id), col(SlackPost.kind) == "card")
            .exists()
        )
        with self._db.reading() as session:
            rows = session.exec(
                select(Report.id)
                .where(
                    col(Report.created_at) >= since,
                    col(Report.status).not_in([ReportState.SPAM, ReportState.NEW]),
                    ~has_card,
                )
                .order_by(col(Report.id))
                .limit(limit)
            ).all()
        return [r for r in rows if r is not None]

    def of_report(self, report_id: int) -> list[SlackPost]:
        with self._db.reading() as session:
            return list(
                session.exec(
                    select(SlackPost)
                    .where(SlackPost.report_id == report_id)
                    .order_by(col(SlackPost.id))
                ).all()
            )

    def card_post(self, report_id: int, destination: str) -> SlackPost | None:
        with self._db.reading() as session:
            return session.exec(
                select(SlackPost).where(SlackPost.key == card_key(report_id, destination))
            ).first()

    def first_sighting(self, event_id: str) -> bool:
        """True the first time an Events API event id is seen; False for Slack's retries."""
        with self._db.transaction() as session:
            return self._db.insert_ignoring_conflicts(
                session,
                SlackEventSeen,
                {"event_id": event_id[:64], "seen_at": self._db.clock.now()},
            )
