"""When check-ins are due: offsets on the local calendar, quiet hours, the US DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from flows.checkins.schedule import (
    add_local_days,
    is_quiet,
    next_allowed_time,
    plan_checkins,
    wall_time,
)
from flows.city import Checkins, CheckinStep, load_city_config

CHICAGO = ZoneInfo("America/Chicago")
QUIET = (time(21, 0), time(8, 0))
SCHEDULE = Checkins(
    schedule=[
        CheckinStep(kind="contacted", after_days=3),
        CheckinStep(kind="satisfaction", after_days=14),
    ]
)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


def test_offsets_from_the_filing_time_in_daytime() -> None:
    filed = local(2026, 4, 6, 10, 30)  # CDT
    planned = plan_checkins(filed_at=filed, config=SCHEDULE, tz=CHICAGO)
    assert [(p.kind, p.due_at) for p in planned] == [
        ("contacted", local(2026, 4, 9, 10, 30).astimezone(UTC)),
        ("satisfaction", local(2026, 4, 20, 10, 30).astimezone(UTC)),
    ]
    assert all(p.due_at.tzinfo is UTC for p in planned)


def test_the_demo_city_schedules_3_and_14_days() -> None:
    city = load_city_config()
    planned = plan_checkins(filed_at=local(2026, 5, 4, 12, 0), config=city.checkins, tz=city.tz)
    assert [(p.kind, p.due_at.astimezone(CHICAGO).day) for p in planned] == [
        ("contacted", 7),
        ("satisfaction", 18),
    ]


@pytest.mark.parametrize(
    ("at", "quiet"),
    [
        (local(2026, 4, 6, 20, 59), False),
        (local(2026, 4, 6, 21, 0), True),
        (local(2026, 4, 6, 23, 59), True),
        (local(2026, 4, 7, 0, 0), True),
        (local(2026, 4, 7, 7, 59), True),
        (local(2026, 4, 7, 8, 0), False),
        (local(2026, 4, 7, 13, 0), False),
    ],
)
def test_quiet_hours_across_midnight(at: datetime, quiet: bool) -> None:
    assert is_quiet(at, quiet_hours=QUIET, tz=CHICAGO) is quiet


def test_quiet_hours_within_a_day_and_none() -> None:
    lunch = (time(12, 0), time(13, 0))
    assert is_quiet(local(2026, 4, 6, 12, 30), quiet_hours=lunch, tz=CHICAGO)
    assert not is_quiet(local(2026, 4, 6, 13, 0), quiet_hours=lunch, tz=CHICAGO)
    assert next_allowed_time(local(2026, 4, 6, 12, 30), quiet_hours=lunch, tz=CHICAGO) == local(
        2026, 4, 6, 13, 0
    )
    never = (time(0, 0), time(0, 0))
    assert not is_quiet(local(2026, 4, 6, 3, 0), quiet_hours=never, tz=CHICAGO)


def test_a_check_in_due_at_night_waits_for_the_morning() -> None:
    evening = local(2026, 4, 6, 22, 15)
    assert next_allowed_time(evening, quiet_hours=QUIET, tz=CHICAGO) == local(2026, 4, 7, 8, 0)
    small_hours = local(2026, 4, 7, 3, 0)
    assert next_allowed_time(small_hours, quiet_hours=QUIET, tz=CHICAGO) == local(2026, 4, 7, 8, 0)
    daytime = local(2026, 4, 7, 9, 0)
    assert next_allowed_time(daytime, quiet_hours=QUIET, tz=CHICAGO) == daytime


def test_spring_forward_keeps_the_local_time_and_the_morning() -> None:
    # 2026-03-08 02:00 CST → 03:00 CDT. Filed Thursday 10:00 CST, due Sunday 10:00 CDT (71 h).
    filed = local(2026, 3, 5, 10, 0)
    due = add_local_days(filed, 3, CHICAGO)
    assert due == datetime(2026, 3, 8, 15, 0, tzinfo=UTC)  # 10:00 CDT = UTC-5
    assert (due - filed).total_seconds() == 71 * 3600
    # Filed late at night: due in the quiet hours of the DST night, sent at 08:00 CDT.
    late = local(2026, 3, 5, 23, 30)
    [contacted, _] = plan_checkins(filed_at=late, config=SCHEDULE, tz=CHICAGO)
    assert contacted.due_at == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # Mon 08:00 CDT
    night = local(2026, 3, 7, 23, 0)  # Saturday 23:00 CST: the quiet night the clocks jump
    assert next_allowed_time(night, quiet_hours=QUIET, tz=CHICAGO) == datetime(
        2026, 3, 8, 13, 0, tzinfo=UTC
    )


def test_fall_back_keeps_the_local_time_and_the_morning() -> None:
    # 2026-11-01 02:00 CDT → 01:00 CST.
    filed = local(2026, 10, 29, 10, 0)
    due = add_local_days(filed, 3, CHICAGO)
    assert due == datetime(2026, 11, 1, 16, 0, tzinfo=UTC)  # 10:00 CST = UTC-6
    assert (due - filed).total_seconds() == 73 * 3600
    night = local(2026, 10, 31, 22, 0)  # Saturday 22:00 CDT
    assert next_allowed_time(night, quiet_hours=QUIET, tz=CHICAGO) == datetime(
        2026, 11, 1, 14, 0, tzinfo=UTC
    )  # Sunday 08:00 CST
    # The repeated hour is quiet both times round.
    first = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 CDT
    second = datetime(2026, 11, 1, 7, 30, tzinfo=UTC)  # 01:30 CST
    for at in (first, second):
        assert is_quiet(at, quiet_hours=QUIET, tz=CHICAGO)
        assert next_allowed_time(at, quiet_hours=QUIET, tz=CHICAGO) == datetime(
            2026, 11, 1, 14, 0, tzinfo=UTC
        )


def test_a_quiet_period_ending_in_the_skipped_hour_ends_after_the_gap() -> None:
    quiet = (time(22, 0), time(2, 30))  # 02:30 does not exist on 2026-03-08 in Chicago
    at = local(2026, 3, 7, 23, 0)
    allowed = next_allowed_time(at, quiet_hours=quiet, tz=CHICAGO)
    assert allowed == datetime(2026, 3, 8, 8, 30, tzinfo=UTC)  # 03:30 CDT: never early
    assert not is_quiet(allowed, quiet_hours=quiet, tz=CHICAGO)
    # A wall time in the gap read directly: moved forward by the gap.
    assert wall_time(datetime(2026, 3, 8).date(), time(2, 30), CHICAGO) == allowed


def test_a_quiet_period_ending_in_the_repeated_hour_ends_at_its_first_occurrence() -> None:
    quiet = (time(22, 0), time(1, 30))
    allowed = next_allowed_time(local(2026, 10, 31, 23, 0), quiet_hours=quiet, tz=CHICAGO)
    assert allowed == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 CDT, the first one
    # During the second 01:00–01:30 (CST) it is quiet again: wait until 01:30 CST.
    second = datetime(2026, 11, 1, 7, 10, tzinfo=UTC)  # 01:10 CST
    assert is_quiet(second, quiet_hours=quiet, tz=CHICAGO)
    later = next_allowed_time(second, quiet_hours=quiet, tz=CHICAGO)
    assert later >= second and not is_quiet(later, quiet_hours=quiet, tz=CHICAGO)


def test_unknown_or_repeated_kinds_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown check-in kind"):
        CheckinStep(kind="weather", after_days=1)
    with pytest.raises(ValueError, match="scheduled twice"):
        Checkins(schedule=[CheckinStep(kind="contacted", after_days=1)] * 2)
