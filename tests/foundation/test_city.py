from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from flows.city import DEMO_CITY, CityConfigError, load_city_config


def test_demo_city_loads() -> None:
    city = load_city_config()
    assert city.city.name == "Riverton"
    assert len(city.districts) == 4
    assert {d.id for d in city.destinations} >= {"oversight", "triage", "council-d1", "council-d4"}
    assert city.tz.key == "America/Chicago"


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = DEMO_CITY.read_text()
    assert old in text
    path = tmp_path / "city.toml"
    path.write_text(text.replace(old, new, 1))
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_unknown_destination_in_a_rule_names_its_line(tmp_path: Path) -> None:
    path = _broken(
        tmp_path, 'destinations = ["family-violence"]', 'destinations = ["family-violense"]'
    )
    with pytest.raises(CityConfigError) as caught:
        load_city_config(path)
    message = str(caught.value)
    assert f"{path}:{_line_of(path, 'family-violense')}:" in message
    assert "family-violense" in message


def test_bad_timezone_names_its_line(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'timezone = "America/Chicago"', 'timezone = "Mars/Olympus"')
    with pytest.raises(CityConfigError) as caught:
        load_city_config(path)
    assert f":{_line_of(path, 'Mars/Olympus')}:" in str(caught.value)


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'slack_channel = "cpps-budget"', 'slack_chanel = "cpps-budget"')
    with pytest.raises(CityConfigError) as caught:
        load_city_config(path)
    assert "slack_chanel" in str(caught.value)


def test_crisis_category_must_be_one_of_the_categories(tmp_path: Path) -> None:
    assert load_city_config().city.crisis_category == "mental_health"
    path = _broken(tmp_path, 'crisis_category = "mental_health"', 'crisis_category = "suicide"')
    with pytest.raises(CityConfigError) as caught:
        load_city_config(path)
    assert "crisis_category 'suicide'" in str(caught.value)
    unset = _broken(tmp_path, 'crisis_category = "mental_health"', 'crisis_category = ""')
    assert load_city_config(unset).city.crisis_category == ""


def test_toml_syntax_error(tmp_path: Path) -> None:
    path = _broken(tmp_path, "[routing]", "[routing")
    with pytest.raises(CityConfigError):
        load_city_config(path)


def test_config_check_command(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["config", "check", str(DEMO_CITY)])
    assert ok.exit_code == 0 and "Riverton" in ok.output
    bad = _broken(tmp_path, '"crisis-team"]', '"crisis-teem"]')
    result = runner.invoke(app, ["config", "check", str(bad)])
    assert result.exit_code == 1
    assert "crisis-teem" in result.output


def test_destinations_list_the_parties_of_their_decisions() -> None:
    city = load_city_config()
    assert city.destination("oversight").party_ids() == [
        "council-members",
        "police-liaison",
        "police-department",
    ]
    assert city.party("police-liaison").name_in("es") == "Enlace policial"
    assert city.destination("triage").parties == []


def test_a_party_id_must_be_plain(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'id = "police-liaison"', 'id = "Police Liaison!"')
    with pytest.raises(CityConfigError, match="party id 'Police Liaison!'"):
        load_city_config(path)


def test_a_party_listed_twice_or_named_two_ways_is_rejected(tmp_path: Path) -> None:
    twice = _broken(tmp_path, 'id = "police-department"', 'id = "police-liaison"')
    with pytest.raises(CityConfigError, match="parties listed twice"):
        load_city_config(twice)
    renamed = _broken(tmp_path, 'name = "Police liaison"', 'name = "Liaison officer"')
    with pytest.raises(CityConfigError) as caught:
        load_city_config(renamed)
    assert "'police-liaison' is named differently" in str(caught.value)
    assert "destinations.1.parties" in str(caught.value)


def test_transparency_names_only_known_categories(tmp_path: Path) -> None:
    text = DEMO_CITY.read_text(encoding="utf-8") + '\nunknown_kind = { en = "Unknown" }\n'
    path = tmp_path / "city.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CityConfigError, match=r"transparency.category_names: unknown categories"):
        load_city_config(path)


def test_district_min_reports_is_zero_or_k(tmp_path: Path) -> None:
    """Folding below another threshold than k lets counts be solved: a district shown (not
    folded) is known to hold 0 or at least `district_min_reports`, which with k's bounds can
    pin a "fewer than k" cell."""
    path = _broken(tmp_path, "district_min_reports = 5", "district_min_reports = 3")
    with pytest.raises(CityConfigError, match=r"transparency.district_min_reports: .*min_count"):
        load_city_config(path)
    for setting in ("district_min_reports = 0", "district_min_reports = 5"):
        load_city_config(_broken(tmp_path, "district_min_reports = 5", setting))
    # Left out, it follows k.
    path = _broken(tmp_path, "district_min_reports = 5", "")
    path.write_text(path.read_text().replace("min_count = 5", "min_count = 7"))
    assert load_city_config(path).transparency.district_min_reports == 7
