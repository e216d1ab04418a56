"""The weekly digest to each destination's channel, computed from plain values (pure).

What a council sees on Monday morning: its open reports by age, the reports waiting on the
reporter (a relayed question or a check-in with no answer), the reports nobody has acted on for
`stale_after` days, and how last week's check-in answers went. Only references, counts and
choices: never a reporter's words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flows.checkins.schedule import RESOLUTION

# (label, lower bound in days); a report falls in the last bucket whose bound its age reaches.
AGE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("under 3 days", 0),
    ("3–7 days", 3),
    ("1–4 weeks", 7),
    ("over 4 weeks", 28),
)
MAX_LISTED = 10


@dataclass(frozen=True)
class DigestReport:
    """One open report of the destination, as the digest needs it."""

    ref: str
    status: str
    created_at: datetime
    # The last action by a moderator (an event whose actor is neither `system` nor `reporter`).
    last_moderator_action_at: datetime | None
    # A relayed question ("asked") later than the reporter's last message.
    question_unanswered: bool
    # Check-ins sent and not answered (still open, or expired as no answer).
    checkins_unanswered: int


@dataclass(frozen=True)
class DigestAnswer:
    """One check-in answer given during the digest's week."""

    kind: str
    answer: str  # "1".."5", or "text" for a free-text answer


@dataclass(frozen=True)
class Digest:
    destination_id: str
    week_start: datetime
    week_end: datetime
    open_total: int
    open_by_age: tuple[tuple[str, int], ...]
    oldest: tuple[tuple[str, int], ...]  # (ref, age in days), oldest first
    awaiting_reporter: tuple[str, ...]
    stale: tuple[tuple[str, int], ...]  # (ref, days since the last moderator action)
    stale_after: timedelta
    satisfaction_count: int
    satisfaction_mean: float | None
    satisfaction_distribution: tuple[int, ...]  # answers 1..5
    contacted_yes: int
    contacted_no: int
    resolved_yes: int
    resolved_no: int
    text_answers: int


def build_digest(
    *,
    destination_id: str,
    reports: Iterable[DigestReport],
    answers: Iterable[DigestAnswer],
    now: datetime,
    stale_after: timedelta,
) -> Digest:
    reports = sorted(reports, key=lambda r: (r.created_at, r.ref))
    ages = {r.ref: (now - r.created_at).total_seconds() / 86400 for r in reports}
    buckets = Counter(_bucket(age) for age in ages.values())
    stale: list[tuple[str, int, float]] = []
    for report in reports:
        since = report.last_moderator_action_at or report.created_at
        if now - since >= stale_after:
            stale.append(
                (report.ref, int((now - since).total_seconds() // 86400), since.timestamp())
            )
    stale.sort(key=lambda item: (item[2], item[0]))
    answer_list = list(answers)
    scores = [int(a.answer) for a in answer_list if a.kind == "satisfaction" and a.answer.isdigit()]
    tally = Counter((a.kind, a.answer) for a in answer_list)
    return Digest(
        destination_id=destination_id,
        week_start=now - timedelta(days=7),
        week_end=now,
        open_total=len(reports),
        open_by_age=tuple((label, buckets.get(label, 0)) for label, _ in AGE_BUCKETS),
        oldest=tuple((r.ref, int(ages[r.ref])) for r in reports[:MAX_LISTED]),
        awaiting_reporter=tuple(
            r.ref for r in reports if r.question_unanswered or r.checkins_unanswered
        ),
        stale=tuple((ref, days) for ref, days, _ in stale),
        stale_after=stale_after,
        satisfaction_count=len(scores),
        satisfaction_mean=round(sum(scores) / len(scores), 2) if scores else None,
        satisfaction_distribution=tuple(scores.count(n) for n in range(1, 6)),
        contacted_yes=tally[("contacted", "1")],
        contacted_no=tally[("contacted", "2")],
        resolved_yes=tally[(RESOLUTION, "1")],
        resolved_no=tally[(RESOLUTION, "2")],
        text_answers=sum(n for (_, answer), n in tally.items() if answer == "text"),
    )


def render_digest(digest: Digest, *, destination_name: str) -> str:
    """The digest as Slack mrkdwn (for moderators: English)."""
    week = f"{digest.week_start:%b %d} – {digest.week_end:%b %d}"
    lines = [f"*Weekly digest for {destination_name}* ({week})", ""]
    lines.append(f"*Open reports: {digest.open_total}*")
    if digest.open_total:
        lines.append("  " + ", ".join(f"{label}: {n}" for label, n in digest.open_by_age))
        lines.append("  Oldest: " + _refs(f"{ref} ({days} d)" for ref, days in digest.oldest))
    lines.append(f"*Waiting for the reporter: {len(digest.awaiting_reporter)}*")
    if digest.awaiting_reporter:
        lines.append("  " + _refs(digest.awaiting_reporter))
    days = f"{digest.stale_after.total_seconds() / 86400:g}"
    lines.append(f"*No moderator action for {days} days or more: {len(digest.stale)}*")
    if digest.stale:
        lines.append("  " + _refs(f"{ref} ({d} d)" for ref, d in digest.stale))
    lines.append("*Check-in answers this week*")
    if digest.satisfaction_mean is not None:
        spread = " ".join(f"{n}★×{c}" for n, c in enumerate(digest.satisfaction_distribution, 1))
        lines.append(
            f"  Satisfaction: {digest.satisfaction_mean:.1f}/5 from "
            f"{digest.satisfaction_count} answers ({spread})"
        )
    else:
        lines.append("  Satisfaction: no answers")
    lines.append(
        f"  Contacted by the council: {digest.contacted_yes} yes, {digest.contacted_no} no"
    )
    lines.append(f"  Resolution worked: {digest.resolved_yes} yes, {digest.resolved_no} no")
    if digest.text_answers:
        lines.append(f"  Written answers (added to their reports): {digest.text_answers}")
    return "\n".join(lines)


def _bucket(age_days: float) -> str:
    label = AGE_BUCKETS[0][0]
    for name, lower in AGE_BUCKETS:
        if age_days >= lower:
            label = name
    return label


def _refs(items: Iterable[str], limit: int = MAX_LISTED) -> str:
    listed: Sequence[str] = list(items)
    more = len(listed) - limit
    shown = ", ".join(listed[:limit])
    return f"{shown} and {more} more" if more > 0 else shown
