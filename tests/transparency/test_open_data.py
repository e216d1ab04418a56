"""The open data: the same protected counts as the page, in CSV and JSON with a dictionary;
the decisions as their own files; and an attack on everything published for the seed."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from bot.transparency.open_data import DECISION_FIELDS, FIELDS
from flows.models import Report
from flows.store import Store
from tests.support.transparency import STORY
from tests.transparency.attack import Published, System, recovered
from tests.transparency.conftest import SEEDED


def _records(client: TestClient) -> list[dict[str, Any]]:
    return list(client.get("/transparency/data.json").json()["records"])


def test_csv_and_json_hold_the_same_records(client: TestClient) -> None:
    response = client.get("/transparency/data.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == FIELDS
    records = _records(client)
    as_text = [{k: "" if v is None else str(v) for k, v in r.items()} for r in records]
    assert rows == as_text
    feb = {(r["group"], r["line"], r["key"]): r for r in records if r["month"] == "2026-02"}
    assert feb[("reports", "total", "")]["value"] == 30
    assert feb[("reports", "category", "stop_search_arrest")]["shown"] == "fewer_than"
    assert feb[("reports", "category", "stop_search_arrest")]["value"] is None
    assert feb[("reports", "category", "use_of_force")]["shown"] == "withheld"
    assert (
        feb[("reports", "category", "officer_misconduct")]["label_es"] == "Mala conducta policial"
    )
    assert feb[("reports", "district", "other")]["value"] == 7
    assert feb[("reports", "acknowledged", "yes")]["measure"] == "median_days"
    assert {r["month"] for r in records} == {f"2025-{m:02d}" for m in range(3, 13)} | {
        "2026-01",
        "2026-02",
    }


def test_the_json_carries_its_dictionary(client: TestClient) -> None:
    document = client.get("/transparency/data.json").json()
    assert document["min_count"] == 5
    assert set(document["dictionary"]) == set(FIELDS)
    assert all(set(m) == {"en", "es"} for m in document["dictionary"].values())


def test_decisions_have_files_of_their_own(client: TestClient) -> None:
    document = client.get("/transparency/decisions.json").json()
    decisions = document["decisions"]
    # City months: the correction was published on the 24th in Riverton (the 25th in UTC).
    assert [d["published_in"] for d in decisions] == ["2026-02", "2026-02"]
    assert decisions[0]["corrected"] is True
    # Southfield's one February report is counted in "other districts" (shown: 7), and
    # officer misconduct's February cell is shown (7): the decision names those.
    assert decisions[0]["district"] == "other" and decisions[0]["category"] == "officer_misconduct"
    assert decisions[0]["district_es"] == "Otros distritos o no se sabe"
    # Northside is shown (14); use of force is withheld in February: not named.
    assert decisions[1]["district"] == "d1" and decisions[1]["category"] is None
    assert decisions[1]["category_en"] == "not published"
    assert decisions[1]["category_es"] == "no publicado"
    assert decisions[0]["summary"].startswith("A corrected summary")
    assert decisions[1]["parties"] == ["council-members", "police-liaison"]
    assert decisions[1]["parties_en"] == ["Council members", "Police liaison"]
    assert decisions[1]["parties_es"] == ["Miembros del consejo", "Enlace policial"]
    assert decisions[1]["corrected"] is False
    assert all(tuple(d) == DECISION_FIELDS for d in decisions)
    assert set(document["dictionary"]) == set(DECISION_FIELDS)
    assert all(set(m) == {"en", "es"} for m in document["dictionary"].values())
    rows = list(csv.DictReader(io.StringIO(client.get("/transparency/decisions.csv").text)))
    assert tuple(rows[0]) == DECISION_FIELDS
    assert rows[0]["published_in"] == "2026-02" and rows[0]["corrected"] == "yes"
    assert rows[0]["district"] == "other" and rows[1]["category"] == ""
    assert rows[0]["parties_es"] == "Departamento de Policía de Riverton"
    assert rows[1]["parties"] == "council-members; police-liaison"
    assert rows[1]["parties_en"] == "Council members; Police liaison"
    assert rows[1]["corrected"] == "no"


def test_no_report_reference_or_story_is_published(client: TestClient, seeded: Store) -> None:
    """Nothing that identifies a report or carries its words, in any file or on the page."""
    with seeded.reading() as session:
        reports = session.exec(select(Report)).all()
    refs = {r.ref for r in reports}
    assert len(refs) == len(SEEDED)
    stories = {STORY} | {r.redacted_text for r in reports if r.redacted_text}
    for path in (
        "/transparency/data.csv",
        "/transparency/data.json",
        "/transparency/decisions.csv",
        "/transparency/decisions.json",
        "/transparency",
        "/transparency?lang=es",
    ):
        text = client.get(path).text
        assert not [ref for ref in refs if ref in text], path
        assert not [story for story in stories if story in text], path


def _position(records: list[dict[str, Any]], record: dict[str, Any]) -> int:
    """The record's place in its line (the attacker's variables are numbered so)."""
    line = [
        r["key"]
        for r in records
        if r["measure"] == "count"
        and (r["month"], r["group"], r["line"])
        == (record["month"], record["group"], record["line"])
    ]
    return line.index(record["key"])


def test_no_count_of_one_to_four_appears_anywhere(client: TestClient) -> None:
    """Southfield's one report (and every other small count) is never a published number."""
    counts = [r["value"] for r in _records(client) if r["measure"] == "count"]
    assert not [v for v in counts if v is not None and 0 < v < 5]
    for path in ("/transparency", "/transparency?lang=es"):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", client.get(path).text)
        assert not [c for c in cells if c in {"1", "2", "3", "4"}]


def test_no_withheld_count_can_be_worked_out_from_everything_published(
    client: TestClient,
) -> None:
    """Every month, group and line of the JSON in one linear programme, with what else an
    attacker knows: no more check-in answers than reports, no more resolved than
    acknowledged (resolving takes a report up)."""
    groups: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"lines": defaultdict(list)}
    )
    for r in _records(client):
        if r["measure"] != "count":
            continue
        group = groups[(r["month"], r["group"])]
        if r["line"] == "total":
            group["total"] = (r["shown"], r["value"])
        else:
            group["lines"][r["line"]].append((r["shown"], r["value"]))
    system = System(k=5)
    index = {
        key: system.add_group(Published(f"{key[0]}/{key[1]}", g["total"], g["lines"]))
        for key, g in groups.items()
    }
    for month in {m for m, _ in groups}:
        reports = index[(month, "reports")][("total", 0)]
        for answers in ("contacted", "satisfaction"):
            system.at_most.append({index[(month, answers)][("total", 0)]: 1.0, reports: -1.0})
        resolved, acknowledged = (
            index[(month, "reports")][(line, 0)] for line in ("resolved", "acknowledged")
        )
        system.at_most.append({resolved: 1.0, acknowledged: -1.0})
        # The fold rule: a month of 5 or more (or one showing a fold) left each district it
        # did not fold with 0 or at least 5 reports ("other districts", last, excepted).
        group = groups[(month, "reports")]
        districts = group["lines"]["district"]
        large = group["total"][0] == "withheld" or (group["total"][1] or 0) >= 5
        if large or any(shown == "folded" for shown, _ in districts):
            for i in range(len(districts) - 1):
                if ("district", i) in index[(month, "reports")]:
                    system.zero_or_at_least(index[(month, "reports")][("district", i)], 5)
    # Each decision: at least one report in the cells it names, in the month it was published
    # (as if the attacker knew its report was filed that month).
    records = _records(client)
    keys = {
        (r["month"], r["line"], r["key"]): _position(records, r)
        for r in records
        if r["measure"] == "count" and r["group"] == "reports"
    }
    named: Counter[tuple[str, str, int]] = Counter()
    for decision in client.get("/transparency/decisions.json").json()["decisions"]:
        for line in ("district", "category"):
            cell = (decision["published_in"], line, decision[line])
            if decision[line] is not None and cell in keys:
                named[(cell[0], line, keys[cell])] += 1
    assert named  # the seeded decisions name some cells
    for (month, line, i), count in named.items():
        system.at_least(index[(month, "reports")][(line, i)], count)
    assert len(system.hidden) > 20  # the seed exercises every rule
    assert recovered(system) == {}
