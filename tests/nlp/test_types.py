"""`Analysis` as stored in `Report.analysis`: what was written must still load."""

from __future__ import annotations

import json

from nlp.types import Analysis, CategoryScore, Entity, OfficerRef, PlaceMention


def test_a_stored_row_of_the_first_format_loads() -> None:
    # As the first version wrote it (JSON: lists, not tuples), plus a key a later one might add.
    stored = {
        "language": "es",
        "redacted": "El oficial [NAME] me empujó en Millbrook Park",
        "entities": [{"type": "NAME", "start": 11, "end": 17}],
        "officers": [
            {
                "text": "oficial Ruiz",
                "start": 3,
                "end": 15,
                "key": "name:ruiz",
                "rank": "oficial",
                "name": "Ruiz",
                "badge": None,
                "unit": None,
            }
        ],
        "places": [{"text": "Millbrook Park", "start": 31, "end": 45, "district": "d2"}],
        "district": "d2",
        "categories": [{"label": "use_of_force", "score": 0.81}],
        "triage": False,
        "urgency": "none",
        "added_later": {"ignored": True},
    }
    analysis = Analysis.from_dict(stored)
    assert analysis.entities == (Entity("NAME", 11, 17),)
    assert analysis.officers[0] == OfficerRef(
        "oficial Ruiz", 3, 15, "name:ruiz", rank="oficial", name="Ruiz"
    )
    assert analysis.places == (PlaceMention("Millbrook Park", 31, 45, "d2"),)
    assert analysis.categories == (CategoryScore("use_of_force", 0.81),)
    assert (analysis.language, analysis.district, analysis.triage) == ("es", "d2", False)
    assert analysis.top_category == "use_of_force" and analysis.no_story is False


def test_missing_keys_take_their_defaults() -> None:
    analysis = Analysis.from_dict({"language": "en", "redacted": "the lights are out"})
    assert analysis == Analysis(language="en", redacted="the lights are out")
    assert (analysis.triage, analysis.urgency, analysis.categories) == (True, "none", ())


def test_to_dict_round_trips_through_json() -> None:
    analysis = Analysis(
        language="en",
        redacted="call me at [PHONE]",
        entities=(Entity("PHONE", 11, 18),),
        categories=(CategoryScore("other", 0.4), CategoryScore("praise", 0.3)),
        urgency="crisis",
    )
    assert Analysis.from_dict(json.loads(json.dumps(analysis.to_dict()))) == analysis
