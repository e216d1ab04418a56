"""The card builder alone (pure): what it shows, what it never shows."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.slack.cards import CardData, CheckinLine, build_card, fallback_text

TZ = ZoneInfo("America/Chicago")
AT = datetime(2026, 7, 4, 2, 30, tzinfo=UTC)  # 21:30 CDT on 3 July


def _card(**changes: object) -> CardData:
    values: dict[str, object] = {
        "report_id": 7,
        "ref": "R-7KQ2",
        "destination_id": "oversight",
        "destination_name": "Community Police Oversight Council",
        "categories": (("use_of_force", 0.71), ("officer_misconduct", 0.2)),
        "category": "use_of_force",
        "triage": False,
        "urgency": "none",
        "district_name": "Riverside",
        "language": "es",
        "anonymous": True,
        "contact_ok": False,
        "reach": "ok",
        "redacted_text": "Un policía me empujó. Me llamo [NAME].",
        "received_at": AT,
        "status": "routed",
    }
    values.update(changes)
    return CardData(**values)  # type: ignore[arg-type]


def test_the_notification_text_has_no_words_of_the_report() -> None:
    text = fallback_text(_card(urgency="crisis"))
    assert text == "Report R-7KQ2 URGENT: use of force → Community Police Oversight Council"


def test_fields_show_the_analysis_and_local_time_across_dst() -> None:
    blocks = build_card(_card(), tz=TZ)
    shown = str(blocks)
    assert "use of force 71%, officer misconduct 20%" in shown
    assert "Spanish" in shown and "Riverside" in shown
    assert "Fri 03 Jul 2026, 21:30 CDT" in shown


def test_an_unsure_classification_says_so() -> None:
    assert "classifier unsure" in str(build_card(_card(triage=True, categories=()), tz=TZ))


def test_checkin_lines_are_shown() -> None:
    line = CheckinLine(kind="contacted", state="pending", due=AT)
    assert "Check-in *contacted*: pending" in str(build_card(_card(checkins=(line,)), tz=TZ))


def test_a_system_status_names_no_one_and_a_moderator_is_mentioned() -> None:
    assert "by" not in str(build_card(_card(status_actor="system"), tz=TZ)[-2])
    acted = build_card(_card(status="acknowledged", status_actor="UMOD1", status_at=AT), tz=TZ)
    assert "*Acknowledged* by <@UMOD1>" in str(acted)
    # Anything that is not a Slack user ID is shown as plain, escaped text.
    odd = build_card(_card(status_actor="<!channel>", status_at=AT), tz=TZ)
    assert "<!channel>" not in str(odd)


def test_the_contact_choice_is_stated() -> None:
    assert "Anonymous" in str(build_card(_card(), tz=TZ))
    agreed = build_card(_card(anonymous=False, contact_ok=True), tz=TZ)
    assert "Agreed to be contacted (through this line only)" in str(agreed)
