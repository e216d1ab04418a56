"""Decisions on reports: recorded (redacted) by moderators, corrected as new versions, published.

A decision is recorded before it is published, so the moderator reads the redacted summary first
(`record`, then `publish`). A correction is a new row whose `corrects_id` points at the latest
version before it: nothing is overwritten, and the public reads the latest published version.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from flows.models import Decision, Report
from flows.statuses import ReportState
from flows.store.base import QueryGroup


@dataclass(frozen=True)
class RecordedDecision:
    decision: Decision
    # False when this action had already recorded it (a replayed submission): nothing new.
    created: bool


@dataclass(frozen=True)
class PublishedDecision:
    """A decision as the public reads it: nothing that identifies the report or its reporter
    (no id, no reference, no words of the report), only where and what it was about."""

    published_at: datetime
    # When the report was filed: never published, only used to find the month whose figures
    # decide what the decision may name (flows/transparency/public_decisions.py).
    reported_at: datetime
    district: str | None
    category: str | None
    summary: str
    parties: tuple[str, ...]
    # An earlier published version was corrected by this one.
    corrected: bool


class DecisionQueries(QueryGroup):
    def record(
        self,
        *,
        session: Session,
        report: Report,
        summary: str,
        parties: list[str],
        actor: str,
        action_key: str | None,
    ) -> RecordedDecision:
        """A new (unpublished) version of the report's decision, correcting the latest one if
        any. The same `action_key` twice records once: the second call returns the first row."""
        assert report.id is not None
        if action_key is not None:
            known = self.by_action_key(action_key, session=session)
            if known is not None:
                return RecordedDecision(decision=known, created=False)
        latest = self._latest(session, report.id)
        values = {
            "report_id": report.id,
            "summary": summary,
            "parties": list(parties),
            "published": False,
            "published_at": None,
            "actor": actor,
            "corrects_id": latest.id if latest is not None else None,
            "action_key": action_key,
            "created_at": self._db.clock.now(),
        }
        # ON CONFLICT DO NOTHING: two deliveries of one submission racing make one row.
        new_id = self._db.insert_returning_key(session, Decision, values)
        if new_id is None:
            assert action_key is not None
            known = self.by_action_key(action_key, session=session)
            assert known is not None
            return RecordedDecision(decision=known, created=False)
        decision = session.get(Decision, new_id)
        assert decision is not None
        return RecordedDecision(decision=decision, created=True)

    def publish(self, *, session: Session, decision: Decision) -> bool:
        """Publish the version; False when it already was (a replay publishes nothing)."""
        if decision.published:
            return False
        decision.published = True
        decision.published_at = self._db.clock.now()
        session.add(decision)
        return True

    def by_action_key(self, action_key: str, *, session: Session) -> Decision | None:
        return session.exec(select(Decision).where(Decision.action_key == action_key)).first()

    def get_to_change(self, decision_id: int, *, session: Session) -> Decision | None:
        return session.get(Decision, decision_id)

    def latest(self, report_id: int) -> Decision | None:
        """The report's latest version (published or not): what a moderator corrects."""
        with self._db.reading() as session:
            return self._latest(session, report_id)

    def history(self, report_id: int) -> list[Decision]:
        """Every version of the report's decision, oldest first."""
        with self._db.reading() as session:
            return list(
                session.exec(
                    select(Decision)
                    .where(Decision.report_id == report_id)
                    .order_by(col(Decision.id))
                ).all()
            )

    def latest_published_of(self, report_ids: Collection[int]) -> dict[int, Decision]:
        """Report id → its latest published version, for the reports that have one."""
        if not report_ids:
            return {}
        with self._db.reading() as session:
            rows = session.exec(
                select(Decision)
                .where(col(Decision.report_id).in_(list(report_ids)), col(Decision.published))
                .order_by(col(Decision.id))
            ).all()
        return {row.report_id: row for row in rows}

    def published_decisions(self) -> list[PublishedDecision]:
        """For each report with a published decision, its latest published version, newest
        first. Reports marked as spam are left out (a spam report has no public decision)."""
        with self._db.reading() as session:
            rows = session.exec(
                select(Decision, Report.created_at, Report.district, Report.top_category)
                .join(Report, col(Report.id) == col(Decision.report_id))
                .where(col(Decision.published), col(Report.status) != ReportState.SPAM)
                .order_by(col(Decision.report_id), col(Decision.id))
            ).all()
        latest: dict[int, tuple[Decision, datetime, str | None, str | None]] = {}
        versions: dict[int, int] = {}
        for decision, reported_at, district, category in rows:
            latest[decision.report_id] = (decision, reported_at, district, category)
            versions[decision.report_id] = versions.get(decision.report_id, 0) + 1
        published = [
            PublishedDecision(
                published_at=decision.published_at or decision.created_at,
                reported_at=reported_at,
                district=district,
                category=category,
                summary=decision.summary,
                parties=tuple(decision.parties),
                corrected=versions[report_id] > 1,
            )
            for report_id, (decision, reported_at, district, category) in latest.items()
        ]
        return sorted(published, key=lambda d: d.published_at, reverse=True)

    def _latest(self, session: Session, report_id: int) -> Decision | None:
        return session.exec(
            select(Decision)
            .where(Decision.report_id == report_id)
            .order_by(col(Decision.id).desc())
            .limit(1)
        ).first()
