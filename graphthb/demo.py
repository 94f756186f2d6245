"""``graphthb demo``: the whole path on the bundled synthetic sample."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from graphthb.store.base import Store

__all__ = ["run_demo", "sample_dir", "SAMPLE_RECORDS", "SAMPLE_SEED"]

#: How sample_data/ was made (sample_data/README.md says the same).
SAMPLE_RECORDS = 3000
SAMPLE_SEED = 1


def sample_dir() -> Path:
    """The bundled sample: the repository's sample_data/, else regenerated.

    The generator is deterministic and a test checks the committed sample is
    byte-identical to its output, so regenerating gives the very same files.
    """
    repo = Path(__file__).resolve().parent.parent / "sample_data"
    if (repo / "records.csv").exists():
        return repo
    from graphthb.synth import generate

    out = Path(tempfile.mkdtemp(prefix="graphthb-sample-"))
    generate(out, SAMPLE_RECORDS, SAMPLE_SEED)
    return out


def run_demo(
    store: Store,
    views_dir: Path,
    *,
    top: int,
    echo: Callable[[str], None],
    say: Callable[[str], None],
) -> None:
    from graphthb import views
    from graphthb.analysis.explain import explain_text
    from graphthb.analysis.groups import cluster
    from graphthb.ingest.loader import load
    from graphthb.output import render

    data = sample_dir()
    views_dir.mkdir(parents=True, exist_ok=True)
    say(f"loading the synthetic sample from {data} into {store.location} ...")
    report = load(
        store,
        [data / "records.csv"],
        [data / "links.csv"],
        rejects=views_dir / "demo-rejects.csv",
    )
    say(f"read {report.read}, loaded {report.loaded}, rejected {report.rejected}")
    say("clustering ...")
    result = cluster(store)
    chosen = result.groups[:top]
    echo(
        render(
            ["group", "score", "ads", "countries", "summary"],
            [[g.group_id, g.score, g.size, ",".join(g.countries), g.summary] for g in chosen],
            "table",
            width=100,
        )
    )
    for group in chosen:
        echo("")
        echo(explain_text(group))
    # One Cypher answer, so the analyst sees the graph can be asked directly.
    from graphthb.queries import load_query

    saved = load_query("personas_per_phone")
    answer = store.query(saved.text, saved.bind({"limit": 5}))
    echo("")
    echo("Cypher (cypher/personas_per_phone.cypher): phones given for several persona names")
    echo(render(answer.columns, answer.rows, "table"))
    written = [views.overview(store, views_dir / "overview.html").path]
    for group in chosen:
        written.append(
            views.group_view(store, group.group_id, views_dir / f"{group.group_id}.html").path
        )
    say("")
    say("views written (open them in any browser):")
    for path in written:
        say(f"  {path}")
    say(
        'ask the graph directly, e.g.: graphthb query "MATCH (g:Group) RETURN g.key, g.score, g.size ORDER BY g.score DESC LIMIT 5"'
    )
