"""The views as a library: what they draw, what they hide, and that the page is one safe file.

Store-reading tests run on both backends (the ``store`` fixture), so every
query the views send is checked on LadybugDB and on a real Neo4j.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest_views import G1_EDGES, G1_NODES, HOSTILE, PAYLOADS, build_case, page_data

from graphthb import views
from graphthb.errors import GraphthbError, NotFoundError
from graphthb.schema import SCHEMA
from graphthb.views import network as view_network
from graphthb.views.layout import force_layout
from graphthb.views.page import KIND_STYLES, MAX_SCORE, score_colour, script_json
from graphthb.views.subgraph import clean


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, as a browser's parser sees them
    (script and style contents are raw text, not markup)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def named(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == name]

    def handlers(self) -> list[tuple[str, str]]:
        return [(t, a) for t, attrs in self.tags for a in attrs if a.startswith("on")]


def read(info: views.ViewInfo) -> str:
    return info.path.read_bytes().decode("utf-8")  # strict: the page must be valid UTF-8


def by_key(data: dict) -> dict[tuple[str, str], dict]:
    return {(n["kind"], n["key"]): n for n in data["nodes"]}


def tip(node: dict) -> dict[str, str]:
    return {k: v for k, v in node["tip"]}


def test_public_surface():
    assert views.__all__ == ["ViewInfo", "around_view", "group_view", "overview"]


def test_the_colour_scale_spans_every_possible_score():
    from graphthb.analysis.groups import INDICATORS

    assert sum(top for top, _, _ in INDICATORS.values()) == MAX_SCORE
    assert score_colour(0) != score_colour(MAX_SCORE / 2) != score_colour(MAX_SCORE)
    assert score_colour(MAX_SCORE * 2) == score_colour(MAX_SCORE)  # clamped
    assert score_colour(None) == "#cccccc"


def test_every_node_kind_has_its_own_look():
    assert set(SCHEMA.nodes) <= set(KIND_STYLES)
    looks = [(s.shape, s.colour) for s in KIND_STYLES.values()]
    assert len(set(looks)) == len(looks)


# -- what each view draws -----------------------------------------------------------------


def test_group_view_draws_the_group_its_identifiers_and_assertions(store, tmp_path):
    build_case(store)
    info = views.group_view(store, "G-1", tmp_path / "g1.html")
    assert (info.nodes, info.edges) == (G1_NODES, G1_EDGES)
    data = page_data(read(info))
    nodes = by_key(data)
    assert len(nodes) == info.nodes and len(data["edges"]) == info.edges
    ads = sorted(k for kind, k in nodes if kind == "Ad")
    assert ads == ["R-1", "R-2", "R-3", "R-4"]  # G-2's ads and the loose R-7 are not drawn
    assert ("Domain", "rose.example") in nodes and ("Person", "P-1") in nodes
    assert ("Group", "G-1") not in nodes
    # Tooltips: an ad's record, an identifier's ad count, a link's provenance.
    r1 = tip(nodes[("Ad", "R-1")])
    assert r1["title"] == "Rose new in town" and r1["URL"] == "https://site.example/ad/1"
    assert r1["platform"] == "site.example" and r1["group"] == "G-1 (score 72.5 of 100)"
    phone = tip(nodes[("Phone", "+31612345678")])
    assert phone["ads"] == "in 3 ad(s) in the store, 2 drawn here"
    ids = {n["id"]: (n["kind"], n["key"]) for n in data["nodes"]}
    phone_links = [e for e in data["edges"] if ids[e["to"]] == ("Phone", "+31612345678")]
    r1_phone = next(e for e in phone_links if ids[e["from"]] == ("Ad", "R-1"))
    sources = [v for k, v in r1_phone["tip"] if k == "source"]
    assert sources == ["records.csv", "second-batch.csv"]  # one link, both facts
    assert ["file:line", "second-batch.csv:2"] in r1_phone["tip"]
    controls = next(e for e in data["edges"] if e["label"] == "controls")
    assert controls["dashes"] is True and ["note", "seen in chat"] in controls["tip"]
    # Size grows with links: the ad with most links is drawn largest.
    assert nodes[("Ad", "R-1")]["size"] > nodes[("Handle", "telegram:rosebud")]["size"]
    # The legend lists the kinds drawn, with counts.
    html = read(info)
    assert 'value="Person" checked>' in html and "72.5 of 100" in html


def test_group_view_of_a_large_group_draws_some_ads_with_what_binds_them(
    store, tmp_path, monkeypatch
):
    build_case(store)
    monkeypatch.setattr(view_network, "GROUP_MAX_ADS", 2)
    info = views.group_view(store, "G-1", tmp_path / "cap.html")
    assert "capped: the group has 4 ads; the first 2 by record id are drawn" in info.notes
    nodes = by_key(page_data(read(info)))
    assert sorted(k for kind, k in nodes if kind == "Ad") == ["R-1", "R-2"]
    # The drawn ads keep their identifiers and links: the phone both carry.
    assert ("Phone", "+31612345678") in nodes and info.edges > 0


def test_group_view_does_not_follow_a_person_to_other_groups(store, tmp_path):
    build_case(store)
    more = pd.DataFrame(
        {"src": ["P-1"], "dst": ["R-6"], "source": ["links2.csv"], "origin": ["links2.csv:2"]}
    )
    store.write_batch({}, {("CONTROLS", "Person", "Ad"): more})
    info = views.group_view(store, "G-1", tmp_path / "g1.html")
    assert ("Ad", "R-6") not in by_key(page_data(read(info)))
    assert (info.nodes, info.edges) == (G1_NODES, G1_EDGES)
    # ...while the controller's view shows both of the ads asserted.
    around = views.around_view(store, "Person", "P-1", 1, tmp_path / "p1.html")
    ads = {k for kind, k in by_key(page_data(read(around))) if kind == "Ad"}
    assert ads == {"R-1", "R-6"}


def test_around_view_walks_hops_but_not_through_platforms(store, tmp_path):
    build_case(store)
    one = views.around_view(store, "Phone", "+31612345678", 1, tmp_path / "one.html")
    nodes = by_key(page_data(read(one)))
    assert set(nodes) == {("Phone", "+31612345678"), ("Ad", "R-1"), ("Ad", "R-2"), ("Ad", "R-5")}
    seed = nodes[("Phone", "+31612345678")]
    assert seed["color"]["border"] == "#000000" and seed["borderWidth"] == 4
    # Ads are ringed in their own group's colour, whichever group that is.
    assert nodes[("Ad", "R-1")]["color"]["border"] == score_colour(72.5)
    assert nodes[("Ad", "R-5")]["color"]["border"] == score_colour(18.0)
    two = views.around_view(store, "Phone", "+31612345678", 2, tmp_path / "two.html")
    keys = set(by_key(page_data(read(two))))
    assert {("Platform", "site.example"), ("Person", "P-1"), ("Agency", "velvet")} <= keys
    three = views.around_view(store, "Phone", "+31612345678", 3, tmp_path / "three.html")
    keys = set(by_key(page_data(read(three))))
    # Hop 3 reaches R-6 through the agency, but not through the shared platform.
    assert ("Ad", "R-6") in keys and ("Domain", "rose.example") in keys
    assert ("Ad", "R-7") not in keys and ("Ad", "R-4") not in keys
    # From an ad, too.
    ad = views.around_view(store, "Ad", "R-7", 2, tmp_path / "ad.html")
    assert ("Ad", "R-3") in set(by_key(page_data(read(ad))))


def test_around_view_caps_its_size_and_says_so(store, tmp_path, monkeypatch):
    build_case(store)
    monkeypatch.setattr(view_network, "AROUND_MAX_NODES", 6)
    info = views.around_view(store, "Phone", "+31612345678", 2, tmp_path / "cap.html")
    assert info.nodes == 6
    assert any(n.startswith("capped at 6 nodes") for n in info.notes)
    html = read(info)
    assert "capped at 6 nodes" in html
    # The starting node and its first hop come first.
    keys = set(by_key(page_data(html)))
    assert {("Phone", "+31612345678"), ("Ad", "R-1"), ("Ad", "R-2"), ("Ad", "R-5")} <= keys


def test_overview_joins_groups_that_share_identifiers(store, tmp_path):
    build_case(store)
    info = views.overview(store, tmp_path / "overview.html")
    assert (info.nodes, info.edges) == (2, 1)
    data = page_data(read(info))
    g1, g2 = sorted(data["nodes"], key=lambda n: n["key"])
    assert g1["size"] > g2["size"]  # four ads against two
    assert g1["color"]["background"] == score_colour(72.5) != g2["color"]["background"]
    (edge,) = data["edges"]
    assert edge["label"] == "2"  # the phone and the agency
    assert ["phone", "+31612345678"] in edge["tip"] and ["agency or brand", "velvet"] in edge["tip"]


def test_overview_leaves_out_identifiers_shared_by_too_many_groups(store, tmp_path, monkeypatch):
    build_case(store)
    monkeypatch.setattr(view_network, "OVERVIEW_MAX_GROUPS_PER_IDENTIFIER", 1)
    info = views.overview(store, tmp_path / "overview.html")
    assert info.edges == 0
    assert any("2 identifier(s) shared by more than 1 groups" in n for n in info.notes)


def test_unknown_things_raise_not_found_with_one_line(store, tmp_path):
    build_case(store)
    with pytest.raises(NotFoundError, match="no group 'G-nope'") as err:
        views.group_view(store, "G-nope", tmp_path / "x.html")
    assert "\n" not in str(err.value)
    with pytest.raises(NotFoundError, match="no phone '\\+31000000000'"):
        views.around_view(store, "Phone", "+31000000000", 2, tmp_path / "x.html")
    with pytest.raises(GraphthbError):
        views.around_view(store, "Phone", "+31612345678", 0, tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


def test_overview_of_a_store_without_groups_says_how_to_make_them(store, tmp_path):
    with pytest.raises(NotFoundError, match="graphthb cluster"):
        views.overview(store, tmp_path / "x.html")


# -- potential victims --------------------------------------------------------------------


def test_potential_victims_details_are_pseudonymised(store, tmp_path):
    build_case(store)
    info = views.group_view(store, "G-1", tmp_path / "g1.html")
    html = read(info)
    # Not in the page at all: the persona name (in persona, title, text), the age, the picture.
    assert "Anna" not in html.replace("anna.desk@example.org", "").replace("rose.example/anna", "")
    assert "1234abcd1234abcd" not in html
    nodes = by_key(page_data(html))
    r3 = tip(nodes[("Ad", "R-3")])
    assert r3["persona"] == "persona-1" and r3["age"] == "hidden"
    assert r3["title"] == "persona-1 new in town" and r3["text"] == "Call me, persona-1. No crypto."
    assert ("Image", "image-1") in nodes
    assert tip(nodes[("Ad", "R-1")])["persona"] == "Rose"  # others as recorded
    assert any("Potential victims protected" in n for n in info.notes)
    assert "Potential victims protected" in html
    # The same through an around view, starting from the hidden picture itself.
    around = views.around_view(store, "Image", "1234abcd1234abcd", 1, tmp_path / "img.html")
    assert "1234abcd1234abcd" not in read(around) and "Anna" not in read(around)


def test_reveal_shows_them_and_says_so(store, tmp_path):
    build_case(store)
    info = views.group_view(store, "G-1", tmp_path / "g1.html", reveal=True)
    nodes = by_key(page_data(read(info)))
    r3 = tip(nodes[("Ad", "R-3")])
    assert r3["persona"] == "Anna" and r3["age"] == "19"
    assert ("Image", "1234abcd1234abcd") in nodes
    assert any("--reveal" in n and "Shown as recorded" in n for n in info.notes)


def test_pages_without_victims_say_nothing_about_them(store, tmp_path):
    build_case(store)
    info = views.group_view(store, "G-2", tmp_path / "g2.html")
    assert info.notes == [] and "Potential victims" not in read(info)


# -- one file, offline, safe --------------------------------------------------------------


def test_the_page_is_one_offline_file(store, tmp_path, monkeypatch):
    build_case(store)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)  # pyvis's own writer drops a lib/ folder into the cwd
    info = views.group_view(store, "G-1", cwd / "out" / "g1.html")
    assert [p.name for p in cwd.iterdir()] == ["out"]
    assert [p.name for p in (cwd / "out").iterdir()] == ["g1.html"]
    html = read(info)
    tags = Tags(html)
    # The data block, vis-network and ours, all inline; no other resource of any kind.
    assert tags.named("script") == [{"type": "application/json", "id": "graph-data"}, {}, {}]
    assert tags.named("link") == [{"rel": "icon", "href": "data:,"}]  # no favicon request
    assert not [t for t, a in tags.tags if t in ("img", "iframe", "object", "embed", "a")]
    assert not [
        a for _, a in tags.tags if {"src", "href", "action"} & set(a) and a.get("rel") != "icon"
    ]
    assert "@import" not in html and "sourceMappingURL" not in html
    # vis-network comes from the installed pyvis; we ship no copy.
    assert "vis-network" in html and not list(Path(views.__file__).parent.glob("*.min.js"))


def test_content_security_policy_allows_only_the_page_scripts(store, tmp_path):
    build_case(store)
    html = read(views.group_view(store, "G-1", tmp_path / "g1.html"))
    (meta,) = [
        m for m in Tags(html).named("meta") if m.get("http-equiv") == "Content-Security-Policy"
    ]
    policy = dict(d.strip().split(" ", 1) for d in meta["content"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"].split() == [
        s for s in policy["script-src"].split() if s.startswith("'sha256-")
    ]
    csp = policy["script-src"]
    bodies = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert len(bodies) == 2
    for body in bodies:
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_script_json_cannot_break_out_of_a_script_element():
    value = {"t": "</script><script>alert(1)</script><!-- & \u2028\u2029 ' \"", "n": [1, 2.5, None]}
    text = str(script_json(value))
    assert not re.search(r"[<>&\u2028\u2029]", text)
    assert json.loads(text) == value
    with pytest.raises(ValueError):
        script_json({"x": float("nan")})


def test_hostile_text_in_every_field_is_escaped(store, tmp_path):
    case = build_case(store, hostile=True)
    group = case.k("G-1")
    infos = [
        views.group_view(store, group, tmp_path / "g.html", reveal=True),
        views.around_view(store, "Phone", case.k("phone"), 3, tmp_path / "a.html", reveal=True),
        views.overview(store, tmp_path / "o.html"),
    ]
    for info in infos:
        html = read(info)
        # Only our own elements: three scripts, no image, no event handler.
        tags = Tags(html)
        assert len(tags.named("script")) == 3 and tags.named("img") == [] and tags.handlers() == []
        assert "<img" not in html  # only as escaped text: &lt;img
        for payload in PAYLOADS:
            if "<" in payload:
                assert payload not in html  # never raw markup: escaped or JSON-encoded
        assert not [v for _, a in tags.tags for v in a.values() if v and "javascript:" in v]
        # ...and it all arrives intact for the page to show as text.
        data = page_data(html)
        strings = json.dumps(data, ensure_ascii=False)
        assert HOSTILE in strings or json.dumps(HOSTILE, ensure_ascii=False)[1:-1] in strings
    data = page_data(read(infos[0]))
    ad = next(n for n in data["nodes"] if n["kind"] == "Ad")
    fields = tip(ad)
    for name in ("title", "text", "city", "country", "platform", "URL", "persona"):
        assert HOSTILE in fields[name], name
    edge = data["edges"][0]
    assert any(HOSTILE in v for k, v in edge["tip"] if k in ("source", "collector", "file:line"))
    assert "&lt;script&gt;window.__pwned" in read(infos[0])  # the heading, escaped


def test_the_page_is_written_as_utf8(store, tmp_path):
    build_case(store)
    title = "Новая девушка 💋 في المدينة"
    store.merge_nodes("Ad", pd.DataFrame({"key": ["R-1"], "title": [title]}))
    info = views.group_view(store, "G-1", tmp_path / "g1.html")
    raw = info.path.read_bytes()
    assert title.encode("utf-8") in raw and b'<meta charset="utf-8">' in raw
    assert tip(by_key(page_data(raw.decode("utf-8")))[("Ad", "R-1")])["title"] == title


def test_clean_makes_stored_values_encodable():
    assert clean("bad \ud800 x") == "bad \ufffd x"
    assert clean(float("nan")) is None and clean(np.int64(3)) == 3 and clean("ok") == "ok"
    assert clean(pd.NA) is None


# -- layout -------------------------------------------------------------------------------


def test_large_views_are_laid_out_in_python(store, tmp_path, monkeypatch):
    build_case(store)
    monkeypatch.setattr(view_network, "PHYSICS_MAX_NODES", 5)
    data = page_data(read(views.group_view(store, "G-1", tmp_path / "g1.html")))
    assert data["physics"] is False and data["options"]["physics"]["enabled"] is False
    xy = np.array([[n["x"], n["y"]] for n in data["nodes"]])
    assert np.isfinite(xy).all() and len({tuple(p) for p in xy}) == len(xy)
    small = page_data(read(views.group_view(store, "G-2", tmp_path / "g2.html")))
    assert small["physics"] is True and small["options"]["physics"]["enabled"] is True
    assert all("x" in n for n in small["nodes"])  # the browser starts from Python's layout


def test_force_layout_is_deterministic_and_keeps_neighbours_close():
    rng = np.random.default_rng(0)
    hubs = rng.integers(0, 40, 300)
    edges = np.concatenate(
        [np.stack([hubs, np.arange(40, 340)], axis=1), rng.integers(0, 40, (60, 2))]
    )
    a = force_layout(340, edges, seed=3)
    assert np.array_equal(a, force_layout(340, edges, seed=3))
    assert not np.array_equal(a, force_layout(340, edges, seed=4))
    assert a.shape == (340, 2) and np.isfinite(a).all()
    linked = np.linalg.norm(a[edges[:, 0]] - a[edges[:, 1]], axis=1).mean()
    anyhow = np.linalg.norm(
        a[rng.integers(0, 340, 500)] - a[rng.integers(0, 340, 500)], axis=1
    ).mean()
    assert linked < anyhow / 2
    assert force_layout(0, np.empty((0, 2))).shape == (0, 2)
    assert force_layout(1, np.empty((0, 2))).shape == (1, 2)
