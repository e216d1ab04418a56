"""STATUS with a published decision (the engine alone, pure): the short form in the reporter's
language, one extra text at most, cut to the two segments every reply keeps to."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flows.conversation.catalog import Catalog
from flows.conversation.engine import step
from flows.conversation.events import DecisionNote, ReportStatus, StatusFound
from flows.conversation.flowdef import Flow
from flows.conversation.state import ConversationState
from flows.handling.segments import count_segments, encoding
from flows.statuses import ReportState

AT = datetime(2026, 3, 12, 16, 0, tzinfo=UTC)
ON = date(2026, 3, 12)


def _status(
    catalog: Catalog, flow: Flow, *reports: ReportStatus, asked: str | None, lang: str = "en"
) -> tuple[str, ...]:
    state = ConversationState(language=lang, language_source="explicit")
    found = StatusFound(asked_ref=asked, reports=reports, at=AT)
    return step(state, found, flow=flow, catalog=catalog).replies


def _report(ref: str, summary: str | None = None) -> ReportStatus:
    note = DecisionNote(on=ON, summary=summary) if summary is not None else None
    return ReportStatus(ref=ref, status=ReportState.RESOLVED, destinations=("X",), decision=note)


def test_status_of_a_report_says_its_decision(catalog: Catalog, flow: Flow) -> None:
    replies = _status(catalog, flow, _report("R-7KQ2", "Training ordered."), asked="R-7KQ2")
    assert replies[1:] == ("Decision on R-7KQ2 (2026-03-12): Training ordered.",)


def test_a_spanish_reporter_reads_the_label_in_spanish(catalog: Catalog, flow: Flow) -> None:
    replies = _status(
        catalog, flow, _report("R-7KQ2", "Se ordenó capacitación."), asked="R-7KQ2", lang="es"
    )
    assert replies[0].startswith("Reporte R-7KQ2: resuelto.")
    # The moderator's accents outside GSM 03.38 are folded, so the text stays GSM-7.
    assert replies[1] == "Decision sobre R-7KQ2 (2026-03-12): Se ordeno capacitacion."
    assert encoding(replies[1]) == "GSM-7"


def test_no_decision_no_extra_text(catalog: Catalog, flow: Flow) -> None:
    assert len(_status(catalog, flow, _report("R-7KQ2"), asked="R-7KQ2")) == 1


def test_the_list_shows_the_newest_decision_only(catalog: Catalog, flow: Flow) -> None:
    reports = (_report("R-AAAA"), _report("R-BBBB", "Second."), _report("R-CCCC", "Third."))
    replies = _status(catalog, flow, *reports, asked=None)
    assert replies[1:] == ("Decision on R-BBBB (2026-03-12): Second.",)


def test_a_long_decision_is_cut_to_two_segments(catalog: Catalog, flow: Flow) -> None:
    summary = "The council and the police liaison reviewed the footage with the agency. " * 8
    for lang in ("en", "es"):
        decision = _status(catalog, flow, _report("R-7KQ2", summary), asked="R-7KQ2", lang=lang)[1]
        assert count_segments(decision) == 2 and decision.endswith("...")
