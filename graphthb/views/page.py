"""Turning a drawn graph into one self-contained, safe HTML page.

The page is built with pyvis (its ``Network`` holds the nodes, edges and
vis-network options) and rendered with our own template instead of pyvis's:

* pyvis's template loads Bootstrap from a CDN even in ``in_line`` mode, and
  vis-network too in its other modes; an investigator's page must make no request.
* pyvis renders with autoescaping off (``{{heading}}`` and ``{{options|safe}}``
  go in raw), and switches to a tooltip that sets ``innerHTML`` as soon as a
  title contains ``href``; ad texts are written by the people under investigation.
* ``write_html`` writes in the platform's default encoding, not UTF-8.

So :func:`render` takes the data from ``Network.get_network_data()`` and renders
``template.html`` with an autoescaping Jinja environment. Graph data travels as
JSON in a ``<script type="application/json">`` block (never executed, ``<``,
``>``, ``&``, U+2028 and U+2029 escaped), tooltips are built in the page as DOM
nodes with ``textContent``, and a Content-Security-Policy that allows only the
page's two inline scripts (by hash) and no network at all backs all of that up.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from graphthb.errors import ConfigError
from graphthb.safefile import write_text

__all__ = [
    "KindStyle",
    "KIND_STYLES",
    "VIS_VERSION",
    "MAX_SCORE",
    "script_json",
    "score_colour",
    "score_scale",
    "legend_icon",
    "render",
    "write_page",
]

#: vis-network as shipped inside the pyvis wheel (read at run time, never copied here)
VIS_VERSION = "9.1.2"


@dataclass(frozen=True)
class KindStyle:
    shape: str
    colour: str
    label: str


# One shape and colour per node kind. Shapes whose size does not depend on the
# label, so that size can say "how connected". Colours from Tableau 10, chosen
# apart from the orange-red ramp that scores use; shapes keep kinds apart for
# readers who cannot tell the colours apart.
KIND_STYLES: dict[str, KindStyle] = {
    "Ad": KindStyle("dot", "#4e79a7", "ad"),
    "Phone": KindStyle("diamond", "#59a14f", "phone"),
    "Email": KindStyle("square", "#76b7b2", "e-mail"),
    "Handle": KindStyle("triangle", "#b07aa1", "handle"),
    "Wallet": KindStyle("star", "#edc948", "crypto wallet"),
    "Image": KindStyle("square", "#ff9da7", "picture"),
    "Url": KindStyle("triangleDown", "#9c755f", "URL"),
    "Domain": KindStyle("hexagon", "#bab0ac", "domain"),
    "Person": KindStyle("star", "#d62728", "person"),
    "Agency": KindStyle("hexagon", "#f28e2b", "agency or brand"),
    "Platform": KindStyle("triangleDown", "#8c8c8c", "platform"),
    "Location": KindStyle("triangle", "#86bcb6", "city"),
    "Group": KindStyle("dot", "#e34a33", "group"),
}
FALLBACK_STYLE = KindStyle("dot", "#999999", "other")

# A sequential orange-red ramp for scores (ColorBrewer OrRd, colour-blind safe).
_SCORE_STOPS = (
    (0.0, "#fdd49e"),
    (0.25, "#fdbb84"),
    (0.5, "#fc8d59"),
    (0.75, "#e34a33"),
    (1.0, "#990000"),
)


#: The highest score a group can get: the sum of every indicator's points in
#: graphthb.analysis.groups.INDICATORS (a test keeps the two equal). A constant,
#: because importing the analysis package for it costs most of a second.
MAX_SCORE = 100.0


def max_score() -> float:
    return MAX_SCORE


def score_colour(score: float | None) -> str:
    """The colour of a group's score on the orange-red ramp; grey when unknown."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return "#cccccc"
    t = min(1.0, max(0.0, float(score) / max_score()))
    for (t0, c0), (t1, c1) in zip(_SCORE_STOPS, _SCORE_STOPS[1:], strict=False):
        if t <= t1:
            f = (t - t0) / (t1 - t0)
            rgb = [
                round(
                    int(c0[i : i + 2], 16) + f * (int(c1[i : i + 2], 16) - int(c0[i : i + 2], 16))
                )
                for i in (1, 3, 5)
            ]
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return _SCORE_STOPS[-1][1]


def score_scale() -> list[tuple[str, str, str]]:
    """Legend stops: (score as text, colour, a text colour readable on it)."""
    top = max_score()
    return [
        (f"{top * t:g}", score_colour(top * t), "#ffffff" if t >= 0.75 else "#222222")
        for t, _ in _SCORE_STOPS
    ]


def _polygon(points: int, radius: float, start_deg: float, inner: float | None = None) -> str:
    pts = []
    steps = points * (2 if inner else 1)
    for i in range(steps):
        r = inner if inner and i % 2 else radius
        a = math.radians(start_deg + 360 * i / steps)
        pts.append(f"{r * math.cos(a):.2f},{r * math.sin(a):.2f}")
    return " ".join(pts)


_ICONS = {
    "dot": None,
    "square": "-6.5,-6.5 6.5,-6.5 6.5,6.5 -6.5,6.5",
    "diamond": "0,-8 8,0 0,8 -8,0",
    "triangle": _polygon(3, 8, -90),
    "triangleDown": _polygon(3, 8, 90),
    "hexagon": _polygon(6, 7.5, 0),
    "star": _polygon(5, 8.5, -90, inner=3.6),
}


def legend_icon(shape: str) -> str | None:
    """SVG polygon points for a shape in the legend; None means a circle."""
    return _ICONS.get(shape)


_JS_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JS_UNSAFE = re.compile("[<>&\u2028\u2029]")


def script_json(value: Any) -> Markup:
    """JSON that can sit inside a ``<script>`` element whatever the strings hold.

    ``<``, ``>`` and ``&`` are written as ``\\u`` escapes, so ``</script>`` or
    ``<!--`` in an ad title cannot end or change the element; U+2028 and U+2029
    likewise, for older JavaScript parsers. NaN is refused (it is not JSON).
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return Markup(_JS_UNSAFE.sub(lambda m: _JS_ESCAPES[m.group()], text))


def _package_text(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text("utf-8")


@cache
def _assets() -> dict[str, str]:
    """vis-network (from the installed pyvis) and our own script and style, checked for inlining."""
    lib = f"templates/lib/vis-{VIS_VERSION}"
    try:
        vis_js = _package_text("pyvis", f"{lib}/vis-network.min.js")
        vis_css = _package_text("pyvis", f"{lib}/vis-network.css")
    except (FileNotFoundError, ModuleNotFoundError) as exc:  # pragma: no cover - broken install
        raise ConfigError(
            f"vis-network {VIS_VERSION} is missing from pyvis ({exc}); reinstall: pip install pyvis==0.3.2"
        ) from None
    # The source-map comment would make a browser's developer tools fetch a file
    # that is not there; nothing else in the bundle refers outside the page.
    vis_js = re.sub(r"\n?//# sourceMappingURL=\S*\s*$", "\n", vis_js)
    assets = {
        "vis_js": vis_js,
        "vis_css": vis_css,
        "app_js": _package_text("graphthb.views", "view.js"),
        "app_css": _package_text("graphthb.views", "view.css"),
    }
    for name, text in assets.items():
        closing = "</script" if name.endswith("js") else "</style"
        if closing in text.lower() or "<!--" in text:
            raise ConfigError(f"{name} cannot be inlined: it contains {closing} or <!--")
    return assets


def _sha256(text: str) -> str:
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
    )


@cache
def _template():
    env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    return env.from_string(_package_text("graphthb.views", "template.html"))


def render(
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    options: dict[str, Any],
    *,
    title: str,
    heading: str,
    facts: list[tuple[str, str]],
    notes: list[str],
    legend: list[dict[str, Any]],
    scale: list[tuple[str, str, str]] | None = None,
    swatch: str | None = None,
    size_note: str = "Size: how many links a node has.",
    link_legend: bool = True,
    physics: bool,
) -> str:
    """The page's HTML. Every argument may hold hostile text; all of it is escaped."""
    assets = _assets()
    data = {"nodes": nodes, "edges": edges, "options": options, "physics": physics}
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_sha256(assets['vis_js'])} {_sha256(assets['app_js'])}",
            "style-src 'unsafe-inline'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    return _template().render(
        title=title,
        heading=heading,
        facts=facts,
        notes=notes,
        legend=legend,
        scale=scale,
        swatch=swatch,
        size_note=size_note,
        link_legend=link_legend,
        csp=csp,
        data=script_json(data),
        vis_js=Markup(assets["vis_js"]),
        vis_css=Markup(assets["vis_css"]),
        app_js=Markup(assets["app_js"]),
        app_css=Markup(assets["app_css"]),
        vis_version=VIS_VERSION,
    )


def write_page(out: Path, html: str, protected: Iterable[Path] = ()) -> Path:
    """Write ``html`` to ``out`` as UTF-8, whole or not at all (a temp file renamed into
    place), never over a device, a folder or one of ``protected`` (graphthb.safefile)."""
    return write_text(out, html, protected, create_parents=True)
