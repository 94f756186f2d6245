"""The views in a real headless Chromium, with the network blocked and every request recorded.

Chromium and chromedriver are Debian's (scripts/install-chromium.sh installs
them). Without them these tests skip with the reason; with CI=true they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest_views import G1_NODES, HOSTILE, build_case, build_group, page_data
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait

from graphthb import views
from graphthb.store import open_store
from graphthb.views.network import PHYSICS_MAX_NODES

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
IN_CI = os.environ.get("CI", "").lower() == "true"

# Runs before any script of the page: any alert, or any payload that runs, leaves a trace.
TRIPWIRE = """
window.__alerts = [];
window.alert = window.confirm = window.prompt = function (m) {
  window.__alerts.push(String(m)); window.__pwned = window.__pwned || 'alert';
};
"""


def chromium_flags(profile: str) -> list[str]:
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        # Nothing may leave the machine: every connection goes to a closed port,
        # every host name fails to resolve.
        "--proxy-server=127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--window-size=1280,860",
    ]


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        reason = "Chromium not installed; run: sudo bash scripts/install-chromium.sh"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    profile = tempfile.mkdtemp(prefix="graphthb-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in chromium_flags(profile):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    drv.set_page_load_timeout(60)
    drv.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TRIPWIRE})
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


class Opened:
    """A page opened in the browser, with what it asked the network for and logged."""

    def __init__(self, driver: Any, path: Path, timeout: float = 60) -> None:
        self.driver = driver
        self.url = path.resolve().as_uri()
        driver.get_log("performance")  # drop what earlier pages left
        driver.get_log("browser")
        driver.get(self.url)
        WebDriverWait(driver, timeout).until(
            lambda d: d.execute_script(
                "return !!(window.graphthbView && window.graphthbView.ready)"
            )
        )
        self.requests = [
            m["params"]["request"]["url"]
            for m in (json.loads(e["message"])["message"] for e in driver.get_log("performance"))
            if m["method"] == "Network.requestWillBeSent"
        ]
        self.console = driver.get_log("browser")

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def counts(self) -> tuple[int, int]:
        n, e = self.js(
            "var d = window.graphthbView.network.body.data;return [d.nodes.length, d.edges.length];"
        )
        return n, e

    def drawn(self) -> int:
        """Nodes the network itself placed (not just the data set it was given)."""
        return self.js("return Object.keys(window.graphthbView.network.getPositions()).length;")

    def errors(self) -> list[dict[str, Any]]:
        return [e for e in self.console if e["level"] == "SEVERE"]

    def assert_clean(self) -> None:
        """The page asked for nothing but itself, logged no error, ran no payload."""
        others = sorted(set(self.requests) - {self.url})
        assert self.requests == [self.url], f"{len(self.requests)} requests, e.g. {others[:3]}"
        assert self.errors() == [], self.errors()
        assert self.js("return window.__pwned === undefined && window.__alerts.length === 0;")
        assert self.js("return document.querySelectorAll('img, iframe, object, embed').length") == 0
        # No element anywhere carries an event-handler attribute or a javascript: link.
        bad = self.js(
            "return Array.from(document.querySelectorAll('*')).filter(function (el) {"
            "  return Array.from(el.attributes).some(function (a) {"
            "    return /^on/i.test(a.name) || /^\\s*javascript:/i.test(a.value); }); }).length;"
        )
        assert bad == 0


@pytest.fixture
def case_store(tmp_path: Path) -> Iterator[Any]:
    store = open_store(str(tmp_path / "t.lbug"))
    try:
        yield store
    finally:
        store.close()


def test_group_view_renders_offline_with_the_expected_graph(driver, case_store, tmp_path):
    build_case(case_store)
    info = views.group_view(case_store, "G-1", tmp_path / "g1.html")
    page = Opened(driver, info.path)
    page.assert_clean()
    assert page.counts() == (info.nodes, info.edges) == (G1_NODES, 22)
    assert page.drawn() == G1_NODES
    assert page.js("return document.querySelector('#network canvas').width") > 0
    # The layout settled and physics is off, so the picture holds still.
    assert page.js("return window.graphthbView.network.physics.options.enabled") is False
    legend = page.js(
        "return Array.from(document.querySelectorAll('.kind-filter')).map(b => b.value)"
    )
    assert legend[0] == "Ad" and set(legend) >= {"Phone", "Person", "Image"}


def test_filter_hides_a_kind_and_search_focuses_a_node(driver, case_store, tmp_path):
    build_case(case_store)
    info = views.group_view(case_store, "G-1", tmp_path / "g1.html")
    page = Opened(driver, info.path)
    page.js("document.querySelector('.kind-filter[value=\"Ad\"]').click()")
    hidden = page.js(
        "return window.graphthbView.nodes.get({filter: n => n.hidden}).map(n => n.kind)"
    )
    assert hidden == ["Ad"] * 4
    search = driver.find_element("id", "search-input")
    search.send_keys("+31612345678")
    driver.find_element("css selector", "#search button").click()
    phone_id = page.js(
        "return window.graphthbView.nodes.get({filter: n => n.kind === 'Phone'})[0].id"
    )
    assert page.js("return window.graphthbView.network.getSelectedNodes()") == [phone_id]
    assert "Found Phone +31612345678" in driver.find_element("id", "search-result").text
    # Searching for an ad ticks its kind back on.
    search.clear()
    search.send_keys("r-2")
    driver.find_element("css selector", "#search button").click()
    assert page.js("return window.graphthbView.nodes.get({filter: n => n.hidden}).length") == 0
    page.assert_clean()


def test_around_and_overview_render_offline(driver, case_store, tmp_path):
    build_case(case_store)
    around = views.around_view(case_store, "Phone", "+31612345678", 2, tmp_path / "a.html")
    page = Opened(driver, around.path)
    page.assert_clean()
    assert page.counts() == (around.nodes, around.edges)
    over = views.overview(case_store, tmp_path / "o.html")
    page = Opened(driver, over.path)
    page.assert_clean()
    assert page.counts() == (2, 1)


def test_hostile_text_everywhere_stays_text(driver, case_store, tmp_path):
    case = build_case(case_store, hostile=True)
    group = case.k("G-1")
    pages = [
        views.group_view(case_store, group, tmp_path / "g.html", reveal=True),
        views.group_view(case_store, group, tmp_path / "g-hidden.html"),
        views.around_view(case_store, "Phone", case.k("phone"), 2, tmp_path / "a.html"),
        views.overview(case_store, tmp_path / "o.html"),
    ]
    for info in pages:
        page = Opened(driver, info.path)
        page.assert_clean()
        assert page.counts() == (info.nodes, info.edges)
    # The group page: the payloads are there, as text, in the heading and the tooltips.
    page = Opened(driver, pages[0].path)
    assert HOSTILE in driver.find_element("css selector", "h1").get_attribute("textContent")
    tips = page.js(
        "return window.graphthbView.nodes.get().map(function (n) {"
        "  return [n.title instanceof Element, n.title.textContent,"
        "          n.title.querySelectorAll('*:not(div)').length]; });"
    )
    assert all(is_element and extra == 0 for is_element, _, extra in tips)
    assert any(HOSTILE in text for _, text, _ in tips)
    # Hover an ad: vis-network shows our tooltip, and it holds the payload as plain text.
    canvas = driver.find_element("css selector", "#network canvas")
    x, y, w, h = page.js(
        "var v = window.graphthbView, id = v.nodes.get({filter: n => n.kind === 'Ad'})[0].id;"
        "v.network.moveTo({position: v.network.getPosition(id), scale: 1, animation: false});"
        "var p = v.network.canvasToDOM(v.network.getPosition(id)), c = document.querySelector('#network canvas');"
        "return [p.x, p.y, c.clientWidth, c.clientHeight];"
    )
    ActionChains(driver).move_to_element_with_offset(canvas, int(x - w / 2), int(y - h / 2)).pause(
        0.2
    ).move_by_offset(1, 1).perform()
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script(
            "var t = document.querySelector('div.vis-tooltip');"
            "return t && t.style.visibility !== 'hidden' && t.textContent.length > 0;"
        )
    )
    tooltip = page.js(
        "var t = document.querySelector('div.vis-tooltip');"
        "return [t.textContent, t.querySelectorAll('img, script, style').length];"
    )
    assert HOSTILE in tooltip[0] and tooltip[1] == 0
    page.assert_clean()


def test_hidden_victim_details_do_not_reach_the_browser(driver, case_store, tmp_path):
    build_case(case_store)
    info = views.group_view(case_store, "G-1", tmp_path / "g1.html")
    page = Opened(driver, info.path)
    text = page.js(
        "return document.body.innerText + JSON.stringify(window.graphthbView.nodes.get("
        "{fields: ['key', 'label']})) + window.graphthbView.nodes.get()"
        ".map(n => n.title.textContent).join(' ');"
    )
    assert "Anna" not in text and "1234abcd1234abcd" not in text
    assert "persona-1" in text and "image-1" in text
    assert "Potential victims protected" in text


@pytest.mark.slow
def test_a_large_group_is_laid_out_up_front(driver, tmp_path):
    """Past PHYSICS_MAX_NODES the page arrives with positions and physics off."""
    with open_store(str(tmp_path / "big.lbug")) as store:
        build_group(store, 480)
        info = views.group_view(store, "G-big", tmp_path / "big.html")
    assert info.nodes > PHYSICS_MAX_NODES
    data = page_data(info.path.read_text("utf-8"))
    assert data["physics"] is False and all("x" in n and "y" in n for n in data["nodes"])
    page = Opened(driver, info.path)
    page.assert_clean()
    assert page.counts() == (info.nodes, info.edges)
    assert page.drawn() == info.nodes
    assert page.js("return window.graphthbView.network.physics.options.enabled") is False


def test_the_harness_sees_requests_errors_and_payloads(driver, tmp_path):
    """The checks above can fail: a page that leaks, errs and runs a payload is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><body>"
        '<img src="https://cdn.example.org/x.png" onerror="window.__pwned=\'img\'">'
        "<script>console.error('boom'); window.graphthbView = {ready: true};</script>"
        "</body></html>",
        "utf-8",
    )
    page = Opened(driver, bad)
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return !!window.__pwned"))
    assert "https://cdn.example.org/x.png" in page.requests
    assert any("boom" in e["message"] for e in page.errors())
    with pytest.raises(AssertionError):
        page.assert_clean()


def test_an_empty_group_still_opens(driver, case_store, tmp_path):
    case_store.write_batch({"Group": pd.DataFrame({"key": ["G-empty"], "score": [0.0]})}, {})
    info = views.group_view(case_store, "G-empty", tmp_path / "empty.html")
    assert (info.nodes, info.edges) == (0, 0)
    page = Opened(driver, info.path)
    page.assert_clean()
    assert page.counts() == (0, 0)
    assert driver.find_element("id", "status").text == "Nothing to draw."
