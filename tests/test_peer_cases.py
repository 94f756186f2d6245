"""graphthb against other projects' test vectors (issue 19), as a regression check.

The vectors live outside the repository, in ``../shared/peer-cases/`` beside
the clone (or where ``GRAPHTHB_PEER_CASES`` points): about 1,400 cases taken
from libphonenumber's matcher tests, FollowTheMoney, python-validators and the
wallet reference vectors, with their sources and licences in that folder's
README. They are read, never copied here, and scored by the folder's own
``run.py``, so that this test and ``run.py`` agree on every number.

Held here: the floors of issue 19 (recall >= 0.95 at precision >= 0.99 over
the peer cases, recall >= 0.9 for phones in text from +1 countries), and no
case failing except the few listed below with the reason each is left.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _folder() -> Path | None:
    configured = os.environ.get("GRAPHTHB_PEER_CASES")
    folder = Path(configured) if configured else ROOT.parent / "shared" / "peer-cases"
    return folder if (folder / "run.py").is_file() else None


FOLDER = _folder()
pytestmark = pytest.mark.skipif(
    FOLDER is None,
    reason=f"peer test vectors not found: no run.py in {ROOT.parent / 'shared' / 'peer-cases'} "
    "and GRAPHTHB_PEER_CASES not set",
)

# Cases that fail on purpose, by (file, input). Every other case passes, so no
# case that passed before issue 19 (1,138 of 1,382) can fail unnoticed.
KNOWN_FAILURES = {
    # Two numbers joined by "--": libphonenumber sees one invalid candidate,
    # graphthb reads the first number, which is written in full.
    ("phonenumbers_matcher.jsonl", "Call 650-253-4561--455-234-3451"),
    # A trailing dot names the same host (an absolute name); validators refuses it.
    ("python_validators.jsonl", "http://www.foo.bar./"),
    # Lenient-only expectations (reported aside by run.py): a date and three
    # decimals that graphthb sets aside on purpose.
    ("phonenumbers_matcher.jsonl", "2012-01-02 08"),
    ("phonenumbers_matcher.jsonl", "12.1 - 23.71 - 23.45"),
}


@pytest.fixture(scope="module")
def scored():
    spec = importlib.util.spec_from_file_location("peer_cases_run", FOLDER / "run.py")
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    rows = run.load(sorted(str(p) for p in FOLDER.glob("*.jsonl")))
    assert len(rows) > 1000, f"only {len(rows)} peer cases in {FOLDER}"
    return [(row, run.run_case(row)) for row in rows]


def _ratios(results) -> tuple[float, float]:
    matched = sum(res["matched"] for _, res in results)
    missed = sum(len(res["missed"]) for _, res in results)
    spurious = sum(len(res["spurious"]) for _, res in results)
    return matched / (matched + missed), matched / (matched + spurious)


def _headline(row) -> bool:
    # run.py's headline leaves out derived probes and lenient-only expectations.
    return not row.get("derived") and not row.get("lenient")


def test_recall_and_precision_over_the_peer_cases(scored):
    recall, precision = _ratios([(row, res) for row, res in scored if _headline(row)])
    assert recall >= 0.95, recall
    assert precision >= 0.99, precision


def test_phones_in_text_from_plus_one_countries(scored):
    nanp = [
        (row, res)
        for row, res in scored
        if _headline(row)
        and row["kind"] == "phone"
        and row.get("mode", "text") == "text"
        and row.get("region") in ("US", "CA")
    ]
    assert len(nanp) > 200
    recall, _ = _ratios(nanp)
    assert recall >= 0.9, recall


def test_no_case_fails_but_the_known_ones(scored):
    failing = {
        (row["_file"], row["input"]): f"{row['_file']}:{row['_line']} {row['input']!r} "
        f"[{row.get('region')}] expected {row.get('expect')} got {res['got']}"
        for row, res in scored
        if res["missed"] or res["spurious"]
    }
    unexpected = [line for key, line in failing.items() if key not in KNOWN_FAILURES]
    assert unexpected == []
