"""Flow files: the shipped one loads; bad ones are rejected naming the step."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.conversation.catalog import Catalog
from flows.conversation.flowdef import DEFAULT_FLOW, Flow, FlowError, load_flow


def test_shipped_flow(flow: Flow) -> None:
    assert flow.start == "story"
    assert flow.first_question() == "anonymity"
    assert [s.type for s in flow.steps.values()] == [
        "story", "choice", "place", "text", "choice", "submit"
    ]  # fmt: skip
    assert flow.story_window.total_seconds() == 120
    assert flow.idle_timeout.total_seconds() == 24 * 3600
    assert flow.defaults == {"anonymous": True, "contact_ok": False, "consent_checkins": False}
    assert "hola" in flow.greetings["es"] and "hola" in flow.bare


def _shipped() -> dict[str, Any]:
    data = yaml.safe_load(DEFAULT_FLOW.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _load(tmp_path: Path, data: dict[str, Any], catalog: Catalog) -> Flow:
    path = tmp_path / "flow.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return load_flow(path, catalog=catalog)


def _set(path: list[str | int], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node: Any = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return change


def _delete(path: list[str]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node: Any = data
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set(["steps", "when", "next"], "consnet"), r"step 'when': unknown next step 'consnet'"),
        (
            _set(["steps", "anonymity", "choices", 1, "next"], "nowhere"),
            r"step 'anonymity': unknown next step 'nowhere'",
        ),
        (
            _set(["steps", "place", "prompt"], "ask_plaice"),
            r"step 'place': unknown catalogue key 'ask_plaice'",
        ),
        (
            _set(["steps", "when", "reprompt"], "filed"),  # has placeholders: not a prompt
            r"step 'when': unknown catalogue key 'filed'",
        ),
        (
            _set(
                ["steps", "orphan"],
                {
                    "type": "text",
                    "prompt": "ask_when",
                    "reprompt": "reask_when",
                    "save_as": "when_text",
                    "next": "consent",
                },
            ),
            r"step 'orphan': unreachable",
        ),
        (
            _set(["steps", "consent", "choices", 1, "next"], "loop"),
            r"unknown next step 'loop'",
        ),
        (_set(["steps", "when", "type"], "essay"), r"step 'when': unknown type 'essay'"),
        (_delete(["steps", "when", "prompt"]), r"step 'when': missing \['prompt'\]"),
        (_set(["steps", "when", "colour"], "red"), r"step 'when': unknown keys \['colour'\]"),
        (
            _set(["steps", "anonymity", "choices", 1, "answer"], 1),
            r"step 'anonymity': choice answer 1 appears twice",
        ),
        (
            _set(["steps", "anonymity", "choices", 0, "answer"], "yes"),
            r"step 'anonymity': choice answer 'yes' must be a number",
        ),
        (
            _set(["steps", "consent", "choices", 0, "set"], {"consent": True}),
            r"step 'consent': choice 1 sets unknown or non-boolean fields \['consent'\]",
        ),
        (_set(["steps", "when", "save_as"], "story"), r"step 'when': cannot save to 'story'"),
        (_set(["start"], "anonymity"), r"step 'anonymity': the start step must be"),
        (_set(["start"], "begin"), r"start step 'begin' is not defined"),
        (_set(["steps", "when", "next"], "story"), r"step 'when': cannot lead back to the story"),
        (_set(["settings", "story_window_seconds"], -5), r"story_window_seconds"),
        (_set(["defaults", "anonymous"], "maybe"), r"'defaults'"),
        (_set(["surprise"], 1), r"unknown top-level keys \['surprise'\]"),
    ],
)
def test_bad_flow_is_rejected_naming_the_problem(
    tmp_path: Path,
    catalog: Catalog,
    change: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    data = _shipped()
    change(data)
    with pytest.raises(FlowError, match=message) as info:
        _load(tmp_path, data, catalog)
    assert str(tmp_path / "flow.yaml") in str(info.value)


def test_step_that_cannot_reach_submit_is_rejected(tmp_path: Path, catalog: Catalog) -> None:
    data = _shipped()
    # Answer 2 leads into limbo ↔ limbo2: reachable, but no way out to submit.
    data["steps"]["anonymity"]["choices"][1]["next"] = "limbo"
    for name, other in (("limbo", "limbo2"), ("limbo2", "limbo")):
        data["steps"][name] = {
            "type": "text",
            "prompt": "ask_when",
            "reprompt": "reask_when",
            "save_as": "when_text",
            "next": other,
        }
    with pytest.raises(FlowError, match=r"step 'limbo': no path from here reaches a 'submit'"):
        _load(tmp_path, data, catalog)


def test_a_city_can_drop_and_reorder_steps(tmp_path: Path, catalog: Catalog) -> None:
    data = _shipped()
    # No "when" question, and consent before place.
    del data["steps"]["when"]
    for choice in data["steps"]["anonymity"]["choices"]:
        choice["next"] = "consent"
    for choice in data["steps"]["consent"]["choices"]:
        choice["next"] = "place"
    data["steps"]["place"]["next"] = "submit"
    flow = _load(tmp_path, data, catalog)
    assert "when" not in flow.steps
    assert flow.steps["place"].next == "submit"


def test_unreadable_and_invalid_files(tmp_path: Path, catalog: Catalog) -> None:
    with pytest.raises(FlowError, match="cannot read"):
        load_flow(tmp_path / "missing.yaml", catalog=catalog)
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps: [unclosed", "utf-8")
    with pytest.raises(FlowError, match="not valid YAML"):
        load_flow(bad, catalog=catalog)
