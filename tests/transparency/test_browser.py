"""The page in a real browser: Debian's chromium, headless, driven by Playwright (never a
downloaded browser). The README's set-up installs chromium (scripts/ensure-chromium); without
it these tests are skipped and say why, except under CI (`CI` set), where they fail.
Screenshots of each language are written to tests/artifacts/transparency/ (ignored by git)."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from bot.transparency.routes import build_transparency_router
from flows.transparency.service import TransparencyReport
from tests.transparency.browser import ARTIFACTS, CHROMIUM, contrast, serving

if not CHROMIUM.exists():  # pragma: no cover - the set-up installs it
    why = f"{CHROMIUM} is absent: run scripts/ensure-chromium (make test does)"
    if os.environ.get("CI"):  # CI must run these tests (.ci/run sets CI): an error there
        pytest.fail(why, pytrace=False)
    pytest.skip(why, allow_module_level=True)
if os.environ.get("CI"):
    import playwright.sync_api as sync_api
else:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]'")

# Every text colour on the page against what it is drawn on, computed in the page.
TEXT_COLOURS = """() => {
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const bg = getComputedStyle(el).backgroundColor;
      if (bg && bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') return bg;
    }
    return 'rgb(255, 255, 255)';
  };
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || el.closest('svg')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.left < -100) continue;
    const style = getComputedStyle(el);
    found.push({text: node.textContent.trim().slice(0, 40), fg: style.color, bg: background(el),
                size: parseFloat(style.fontSize), bold: parseInt(style.fontWeight) >= 700});
  }
  for (const text of document.querySelectorAll('svg text')) {
    // A heatmap cell is a <g> of its rect and its text; anything else is on the chart's ground.
    const cell = text.parentElement.tagName === 'g' ? text.parentElement.querySelector('rect')
      : text.ownerSVGElement.querySelector('rect');
    const bg = cell.getAttribute('fill');
    found.push({text: 'svg:' + text.textContent, fg: text.getAttribute('fill'), bg: bg,
                size: 11, bold: false});
  }
  return found;
}"""


@pytest.fixture
def site(report: TransparencyReport) -> Iterator[str]:
    app = FastAPI()
    app.include_router(build_transparency_router(report=report))
    with serving(app) as base:
        yield base


@pytest.fixture
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        # chromium_sandbox off: CI runs as root, where chromium's sandbox cannot start.
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, chromium_sandbox=False
        )
        yield launched
        launched.close()


def test_the_page_in_both_languages(
    browser: sync_api.Browser, site: str, request: pytest.FixtureRequest
) -> None:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{site}/transparency")
    expect = sync_api.expect
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("What happens to what residents report")
    received = page.locator("#table-received")
    expect(received.locator("tr", has_text="February 2026").locator("td")).to_have_text("30")
    stops = page.locator("#table-category tr", has_text="Stops, searches and arrests")
    expect(stops.locator("td").last).to_have_text("fewer than 5")
    expect(
        page.locator("#table-district tr", has_text="Northside").locator("td").last
    ).to_have_text("14")
    # The charts draw the same numbers.
    expect(page.locator("#chart-received text", has_text="30")).to_have_count(1)
    expect(page.locator("#chart-category text", has_text="<5").first).to_be_visible()
    expect(page.locator("#chart-district g", has_text="14")).to_have_count(1)
    # A decision recorded and published through the store (tests/transparency/conftest.py).
    decision = page.locator("#table-decisions tr", has_text="use-of-force training")
    expect(decision).to_contain_text("Council members, Police liaison")
    expect(decision).to_contain_text("February 2026")
    folder = ARTIFACTS / request.node.callspec.id
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / "transparency-en.png", full_page=True)

    page.get_by_role("link", name="Leer en español").click()
    expect(page).to_have_url(f"{site}/transparency?lang=es")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text("Qué pasa con lo que reportan los vecinos")
    stops = page.locator("#table-category tr", has_text="Paradas, registros y arrestos")
    expect(stops.locator("td").last).to_have_text("menos de 5")
    decision = page.locator("#table-decisions tr", has_text="Miembros del consejo, Enlace policial")
    expect(decision).to_contain_text("febrero de 2026")
    expect(decision).to_contain_text("no publicado")  # use of force is withheld in February
    page.screenshot(path=folder / "transparency-es.png", full_page=True)
    page.get_by_role("link", name="Read in English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert problems == []
    print(f"screenshots: {folder}")  # the folder this test names (pytest -s shows it)
    context.close()


def test_it_works_with_javascript_off_on_a_phone(browser: sync_api.Browser, site: str) -> None:
    context = browser.new_context(
        java_script_enabled=False,
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        locale="es-MX",
    )
    page = context.new_page()
    page.goto(f"{site}/transparency")
    expect = sync_api.expect
    expect(page.locator("html")).to_have_attribute("lang", "es")  # from Accept-Language
    expect(
        page.locator("#table-received tr", has_text="febrero de 2026").locator("td")
    ).to_have_text("30")
    page.get_by_role("link", name="Read in English").click()
    expect(page.locator("h1")).to_have_text("What happens to what residents report")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "transparency-phone-en.png")
    context.close()


def test_accessibility(browser: sync_api.Browser, site: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{site}/transparency")
    # Landmarks: one banner, one main, one contentinfo; navigation named.
    for role in ("banner", "main", "contentinfo"):
        assert page.get_by_role(role).count() == 1, role
    assert page.get_by_role("navigation").count() == 2
    # Headings: one h1, then h2s, none skipped; each section named by its heading.
    levels = page.eval_on_selector_all("h1,h2,h3,h4,h5,h6", "hs => hs.map(h => +h.tagName[1])")
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    assert page.locator("section:not([aria-labelledby])").count() == 0
    # Every chart is an image with a name, and its table follows it in the same pair.
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.get_attribute("role") == "img"
        label = chart.get_attribute("aria-labelledby")
        assert (page.locator(f"[id='{label}']").text_content() or "").strip()
        pair = "xpath=ancestor::div[contains(concat(' ', @class, ' '), ' pair ')]//table"
        assert chart.locator(pair).count() == 1
    # Every table has a caption and headers with a scope.
    tables = page.locator("table")
    for i in range(tables.count()):
        assert tables.nth(i).locator("caption").inner_text().strip()
    assert page.locator("th:not([scope])").count() == 0
    # Contrast: WCAG AA for every piece of text (4.5:1; 3:1 for large text).
    texts = page.evaluate(TEXT_COLOURS)
    assert len(texts) > 100
    poor = [
        (t["text"], t["fg"], t["bg"], round(contrast(t["fg"], t["bg"]), 2))
        for t in texts
        if contrast(t["fg"], t["bg"])
        < (3.0 if t["size"] >= 24 or (t["bold"] and t["size"] >= 18.66) else 4.5)
    ]
    assert poor == []
    # Readable on a phone: the page itself does not scroll sideways (wide tables scroll inside
    # their own focusable region).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    regions = page.locator(".scroll[role=region][tabindex='0']")
    assert regions.count() == page.locator("table").count()
    context.close()


def test_the_browser_driven_is_the_system_chromium(browser: sync_api.Browser) -> None:
    """The tests drive Debian's chromium, not a browser Playwright downloaded."""
    printed = subprocess.run(
        [str(CHROMIUM), "--version"], capture_output=True, text=True, check=True
    ).stdout
    [version] = re.findall(r"\b(\d+\.\d+\.\d+\.\d+)\b", printed)
    assert browser.version == version
