"""Follow-up check-ins, the pure part: when each is due, quiet hours, the texts, reading answers.

Times are computed on the city's local wall clock, so "after 3 days" is the same local time three
days later even across a daylight-saving change, and a check-in that would fall in the quiet hours
(default 21:00–08:00 local) waits for the morning. Local times that do not exist (the hour skipped
in spring) or happen twice (the hour repeated in autumn) are read as PEP 495's fold=0: a skipped
time moves forward by the gap, a repeated time is its first occurrence. Both are never earlier
than the wall time asked for, so a quiet period never ends early.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flows.city import Checkins
from flows.conversation.catalog import Catalog
from flows.handling.segments import count_segments

RESOLUTION = "resolution"
# How many numbered answers each kind takes (1..n).
CHOICES: Mapping[str, int] = {"contacted": 2, "satisfaction": 5, RESOLUTION: 2}
# What a choice means, for the audit trail, the Slack thread and the digest.
_LABELS: Mapping[str, Mapping[int, str]] = {
    "contacted": {1: "yes", 2: "no"},
    RESOLUTION: {1: "yes", 2: "no"},
}
MAX_SEGMENTS = 2

# The catalogue messages check-ins render (flows/conversation/catalog/<lang>.yaml), with
# their placeholders.
CHECKIN_MESSAGES: Mapping[str, frozenset[str]] = {
    "checkin_contacted": frozenset({"destination", "ref"}),
    "checkin_satisfaction": frozenset({"ref"}),
    "checkin_resolution": frozenset({"ref", "note"}),
    "checkin_resolution_note": frozenset({"ref", "note"}),
    "checkin_resolution_question": frozenset({"ref"}),
}


# -- when ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedCheckin:
    kind: str
    due_at: datetime  # aware UTC


def wall_time(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The first instant (UTC) the local clock shows `at` on `day` (see the module doc)."""
    return _instants(day, at, tz)[0]


def _instants(day: date, at: time, tz: ZoneInfo) -> list[datetime]:
    """Every instant (UTC, ascending) the local clock shows `at` on `day`: one, two in the
    repeated hour, or for a skipped time the instant `at` reads as after the jump."""
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    found = set()
    for fold in (0, 1):
        instant = naive.replace(fold=fold, tzinfo=tz).astimezone(UTC)
        if instant.astimezone(tz).replace(tzinfo=None) == naive:
            found.add(instant)
    return sorted(found) or [naive.replace(tzinfo=tz).astimezone(UTC)]


def is_quiet(at: datetime, *, quiet_hours: tuple[time, time], tz: ZoneInfo) -> bool:
    start, end = quiet_hours
    local = at.astimezone(tz).time().replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end  # the usual case: across midnight


def next_allowed_time(at: datetime, *, quiet_hours: tuple[time, time], tz: ZoneInfo) -> datetime:
    """`at`, or the end of the quiet period it falls in (UTC)."""
    if not is_quiet(at, quiet_hours=quiet_hours, tz=tz):
        return at.astimezone(UTC)
    start, end = quiet_hours
    local = at.astimezone(tz)
    day = local.date()
    if start > end and local.time().replace(tzinfo=None) >= start:
        day += timedelta(days=1)  # evening: the quiet period ends tomorrow morning
    # In the repeated hour the end comes twice: the first one not before `at`.
    after = [instant for instant in _instants(day, end, tz) if instant >= at]
    return after[0] if after else at.astimezone(UTC)


def add_local_days(at: datetime, days: float, tz: ZoneInfo) -> datetime:
    """`days` later on the local wall clock (whole days keep the local time across DST)."""
    local = at.astimezone(tz).replace(tzinfo=None) + timedelta(days=days)
    return datetime.combine(local.date(), local.time(), tzinfo=tz).astimezone(UTC)


def plan_checkins(*, filed_at: datetime, config: Checkins, tz: ZoneInfo) -> list[PlannedCheckin]:
    """The scheduled check-ins of a report filed at `filed_at`, outside quiet hours."""
    return [
        PlannedCheckin(
            kind=step.kind,
            due_at=next_allowed_time(
                add_local_days(filed_at, step.after_days, tz),
                quiet_hours=config.quiet_hours,
                tz=tz,
            ),
        )
        for step in config.schedule
    ]


def resolution_due(*, resolved_at: datetime, config: Checkins, tz: ZoneInfo) -> datetime:
    return next_allowed_time(resolved_at, quiet_hours=config.quiet_hours, tz=tz)


# -- what ----------------------------------------------------------------------------------------


def render_checkin(
    kind: str,
    *,
    catalog: Catalog,
    language: str,
    ref: str,
    destination: str = "",
    note: str | None = None,
) -> list[str]:
    """The SMS texts of one check-in, in the reporter's language (one text, or for a long
    resolution note: the note, then the question)."""
    if kind == "contacted":
        return [catalog.render("checkin_contacted", language, destination=destination, ref=ref)]
    if kind == "satisfaction":
        return [catalog.render("checkin_satisfaction", language, ref=ref)]
    if kind == RESOLUTION:
        if not note:
            return [catalog.render("checkin_resolution_question", language, ref=ref)]
        combined = catalog.render("checkin_resolution", language, ref=ref, note=note)
        if count_segments(combined) <= MAX_SEGMENTS:
            return [combined]
        return [
            catalog.render("checkin_resolution_note", language, ref=ref, note=note),
            catalog.render("checkin_resolution_question", language, ref=ref),
        ]
    raise ValueError(f"unknown check-in kind {kind!r}")


# -- answers -------------------------------------------------------------------------------------


def valid_choice(kind: str, number: int | None) -> int | None:
    """The answer's number when it is one of this kind's choices, else None."""
    if number is None or not 1 <= number <= CHOICES.get(kind, 0):
        return None
    return number


def answer_label(kind: str, choice: int) -> str:
    """ "yes" / "no" for yes-no kinds, "4/5" for the satisfaction scale."""
    labels = _LABELS.get(kind)
    if labels is not None:
        return labels[choice]
    return f"{choice}/{CHOICES[kind]}"
