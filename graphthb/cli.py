"""The ``graphthb`` command line: thin commands over the library.

Data goes to stdout, messages and progress to stderr. Exit codes: 0 success,
1 an error (one line on stderr, never a traceback), 2 a usage mistake.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from graphthb import __version__
from graphthb.audit import AuditTrail, audit_path_for
from graphthb.audit import writes as audit_writes
from graphthb.errors import ConfigError, GraphthbError, InputError, NotFoundError
from graphthb.output import FORMATS, render, terminal_width
from graphthb.safefile import check_not_owned, protected_paths
from graphthb.store import DEFAULT_DB, Store, is_neo4j_uri, open_store, resolve_db

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    def __init__(
        self,
        db: str | None,
        user: str | None,
        password: str | None,
        database: str | None,
        reason: str | None,
    ):
        self.db = db
        self.user = user
        self.password = password
        self.database = database
        self.reason = reason
        #: how many records the command touched, for the audit trail
        self.touched: int | None = None
        #: what exactly a command changed, where its arguments do not say (an import)
        self.changed: list[str] | None = None
        self._audit: tuple[AuditTrail, dict[str, Any]] | None = None
        self._writing = False

    @property
    def setting(self) -> str:
        return resolve_db(self.db)

    @contextmanager
    def store(self, *, started: bool = False, read_only: bool = False) -> Iterator[Store]:
        """Open the store; when the command ends, append its audit entry.

        The trail is checked writable before the store is opened, so a command
        never changes a store it cannot account for. With ``started`` (commands
        that write) an entry is appended before the work as well: a process
        killed mid-way leaves a "started" entry with no end after it.
        """
        click_ctx = click.get_current_context()
        command = _command_name(click_ctx)
        args = [
            f"{k}={v}"
            for k, v in sorted(click_ctx.params.items())
            if v not in (None, False, (), [])
        ]
        trail = AuditTrail(audit_path_for(self.setting))
        _check_writable(trail.path, "audit trail")
        meta = {"app": "graphthb", "command": command, "user": _user(), "reason": self.reason or ""}
        store = open_store(
            self.db,
            user=self.user,
            password=self.password,
            database=self.database,
            metadata=meta,
            read_only=read_only,
        )
        entry = dict(command=command, args=args, store=store.location, reason=self.reason)
        writing = audit_writes(command, click_ctx.params)
        try:
            if writing:
                # Before anything is written, the started entry included.
                trail.check_before_write(store)
            if started:
                started_entry = trail.append(**entry, touched=None, outcome="started")
                if writing:
                    with suppress(GraphthbError):
                        trail.record_head(store, started_entry)
        except BaseException:
            store.close()
            raise
        # The closing entry is appended by `friendly` once the command has
        # ended: a command can still fail after its store is closed.
        self._audit = (trail, entry)
        self._writing = writing
        try:
            yield store
        finally:
            store.close()

    def audit_end(self, outcome: str) -> None:
        """Append the closing audit entry of the command that opened the store."""
        pending, self._audit = self._audit, None
        if pending is not None:
            trail, entry = pending
            closing = trail.append(
                **entry, touched=self.touched, outcome=outcome, changed=self.changed
            )
            if self._writing:
                self._record_head(trail, closing)

    def _record_head(self, trail: AuditTrail, closing: dict[str, Any]) -> None:
        """Keep the closing entry as the trail's head inside the store, reopened for
        it (graphthb.audit): after the entry is on disk, so a head never names a
        missing entry. A store that cannot be reopened keeps the started entry as
        its head, which the trail still reaches."""
        with (
            suppress(GraphthbError),
            open_store(
                self.db, user=self.user, password=self.password, database=self.database
            ) as store,
        ):
            trail.record_head(store, closing)


def _command_name(click_ctx: click.Context) -> str:
    """The command as the audit trail names it: ``cluster``, or ``ignore add`` for a
    subcommand, so that the trail tells an addition from a removal."""
    names = []
    while click_ctx.parent is not None:
        names.append(click_ctx.info_name or "?")
        click_ctx = click_ctx.parent
    return " ".join(reversed(names)) or "?"


def _check_writable(path: Path, what: str) -> None:
    """Refuse now, before anything is written, a file that could not be appended to."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if path.exists() and (not path.is_file() or not os.access(path, os.W_OK)):
        raise ConfigError(f"{what} {path} cannot be written; nothing was changed")
    if not path.exists() and (not folder.is_dir() or not os.access(folder, os.W_OK)):
        raise ConfigError(f"{what} {path}: folder {folder} is not writable; nothing was changed")


def _user() -> str:
    import getpass

    return os.environ.get("GRAPHTHB_USER") or getpass.getuser()


def say(message: str) -> None:
    """A message for the person at the terminal: stderr, so stdout stays data."""
    click.echo(message, err=True)


def friendly(func: F) -> F:
    """Turn graphthb's own errors into one line and exit code 1, and close the
    command's audit entry with how it ended."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outcome = "error"
        try:
            result = func(*args, **kwargs)
            outcome = "ok"
            return result
        except GraphthbError as exc:
            raise click.ClickException(str(exc)) from None
        except click.exceptions.Abort:
            outcome = "cancelled"
            raise
        except KeyboardInterrupt:
            outcome = "interrupted"
            say(
                "interrupted: every batch written so far is complete; run the same command again to finish"
            )
            sys.exit(130)
        except OSError as exc:  # a full disk or a vanished folder, outside the loader
            where = f" ({exc.filename})" if exc.filename else ""
            raise click.ClickException(f"{exc.strerror or exc}{where}") from None
        finally:
            ctx = click.get_current_context(silent=True)
            state = ctx.find_object(Context) if ctx is not None else None
            if state is not None:
                try:
                    state.audit_end(outcome)
                except OSError as exc:
                    raise click.ClickException(
                        f"the command ended ({outcome}) but its audit entry could not be "
                        f"written: {exc.strerror}"
                    ) from None

    return wrapper  # type: ignore[return-value]


def _progress(label: str, unit: str = "rows") -> Any:
    """Progress on stderr: live in a terminal, a plain line every few seconds elsewhere."""
    from graphthb.progress import Progress

    return Progress(label, unit=unit)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="graphthb")
@click.option(
    "--db",
    envvar="GRAPHTHB_DB",
    metavar="PATH|URI",
    help=f"The case's store: a file path for the embedded store (default ./{DEFAULT_DB}) "
    "or a Neo4j URI (bolt://, neo4j://, bolt+s://, neo4j+s://). Also GRAPHTHB_DB.",
)
@click.option(
    "--user", envvar="NEO4J_USERNAME", help="Neo4j user (default NEO4J_USERNAME, else neo4j)."
)
@click.option(
    "--password", envvar="NEO4J_PASSWORD", help="Neo4j password (default NEO4J_PASSWORD)."
)
@click.option(
    "--database", envvar="NEO4J_DATABASE", help="Neo4j database (default NEO4J_DATABASE)."
)
@click.option(
    "--reason",
    envvar="GRAPHTHB_REASON",
    help="The case or justification, written to the audit trail (also GRAPHTHB_REASON).",
)
@click.pass_context
def main(
    ctx: click.Context,
    db: str | None,
    user: str | None,
    password: str | None,
    database: str | None,
    reason: str | None,
) -> None:
    """Link analysis of online ads for investigators of human trafficking.

    Load what you collected, cluster it into groups, look at the groups and
    their evidence, draw them, and query the graph with Cypher.

    \b
    Example:
      graphthb demo
      graphthb load ads.csv --links links.csv && graphthb cluster && graphthb groups
    """
    # The Neo4j driver logs lost connections itself; with no handler configured
    # Python would print those records on stderr next to our one-line error.
    logging.getLogger("neo4j").addHandler(logging.NullHandler())
    logging.getLogger("neo4j").propagate = False
    ctx.obj = Context(db, user, password, database, reason)


pass_ctx = click.make_pass_decorator(Context)


@main.command()
@pass_ctx
@friendly
def init(ctx: Context) -> None:
    """Create the store and its schema (constraints on Neo4j, tables when embedded).

    \b
    Example:
      graphthb --db case-17.lbug init
    """
    with ctx.store() as store:
        say(f"ready: {store.backend} store at {store.location}")


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--links",
    "links",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A links file of analyst assertions (repeatable).",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="THEIRS=OURS",
    help="Rename one of your columns onto graphthb's, or THEIRS=handles:SERVICE (repeatable).",
)
@click.option("--map-file", type=click.Path(path_type=Path), help="A file of THEIRS=OURS lines.")
@click.option(
    "--sheet",
    metavar="NAME|N",
    help="A spreadsheet's sheet, by name or number (default: the first).",
)
@click.option(
    "--dayfirst/--monthfirst",
    default=None,
    help="How dates like 03/09/2025 are written (default: as the file's own dates show).",
)
@click.option(
    "--rejects",
    type=click.Path(path_type=Path),
    help="Where rejected rows go (default: rejects.csv beside an embedded store, else here).",
)
@click.option(
    "--source",
    help="The source (collection or batch) of rows whose source column is empty "
    "(default: the file's name without its extension).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_ctx
@friendly
def load(
    ctx: Context,
    files: tuple[Path, ...],
    links: tuple[Path, ...],
    maps: tuple[str, ...],
    map_file: Path | None,
    rejects: Path | None,
    source: str | None,
    fmt: str,
    sheet: str | None,
    dayfirst: bool | None,
) -> None:
    """Load records FILES (CSV, JSON Lines, JSON arrays, .xlsx, .ods) and --links files.

    Every row ends up loaded or in the rejects file with its file, line and
    reason. Loading the same files again changes nothing. An ad is its source
    and its record_id: two files that both number their rows 1, 2, ... stay
    two sets of ads. --map names your columns: --map Telefon=phones, or
    --map Telegram=handles:telegram for a column of one messenger's handles.

    \b
    Example:
      graphthb load sample_data/records.csv --links sample_data/links.csv
      graphthb load sample_data/analyst-sheet.xlsx --map-file sample_data/analyst-sheet.map
    """
    from graphthb.ingest.loader import load as run_load
    from graphthb.ingest.readers import SPREADSHEET_SUFFIXES, parse_mapping
    from graphthb.progress import count_lines

    if not files and not links:
        raise click.UsageError("give at least one records file or --links file")
    mapping = parse_mapping(list(maps), map_file)
    if sheet is not None and not any(p.suffix.lower() in SPREADSHEET_SUFFIXES for p in files):
        # said for nothing, it would be silently ignored: the analyst meant another file
        raise InputError("--sheet picks a sheet of an .xlsx or .ods file, and no file given is one")
    if rejects is None:
        setting = ctx.setting
        rejects = (Path(setting).parent if not is_neo4j_uri(setting) else Path(".")) / "rejects.csv"
    check_not_owned(rejects, protected_paths(ctx.setting, rejects=False), "--rejects")
    # Lines per file give the share done and an estimate of the time left.
    lines = {p: count_lines(p) for p in (*files, *links) if p.is_file()}
    total = sum(n for n in lines.values() if n) if all(lines.values()) else None
    before: dict[Path, int] = {}
    with ctx.store(started=True) as store, _progress("loading") as bar:
        bar.set_stage("opening the files")

        def position(path: Path | None, rows: int, line: int) -> None:
            if path is None:
                bar.set_stage("writing the last rows")
                return
            if path not in before:
                before[path] = sum(lines.get(p) or 0 for p in before)
                bar.set_stage(path.name)
            bar.update(rows, (before[path] + line) / total if total else None)

        report = run_load(
            store,
            files,
            links,
            rejects=rejects,
            mapping=mapping,
            position=position,
            source=source,
            sheet=sheet,
            dayfirst=dayfirst,
        )
        ctx.touched = report.loaded
    unusable = report.unusable_files()
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(f"read {report.read}, loaded {report.loaded}, rejected {report.rejected}")
        for f in report.files:
            click.echo(
                f"  {f.path} ({f.kind}): read {f.read}, loaded {f.loaded}, rejected {f.rejected}"
            )
            if f.sources:
                named = ", ".join(f"{src!r} ({n})" for src, n in f.sources.most_common(5))
                more = f" and {len(f.sources) - 5} more" if len(f.sources) > 5 else ""
                click.echo(f"    loaded as source {named}{more}")
            for note in f.notes:
                click.echo(f"    note: {note}")
        for reason, n in report.rejected_by_reason.most_common():
            click.echo(f"  rejected {n}: {reason}")
        for typ, n in sorted(report.unparsed_by_type.items()):
            click.echo(f"  left unparsed (kept on the ad, not linked): {n} {typ}")
        if report.rejects_path:
            click.echo(f"rejected rows and reasons: {report.rejects_path}")
        elif report.rejects_removed:
            click.echo(f"no row rejected: removed the earlier load's {report.rejects_removed}")
    if unusable:
        names = ", ".join(f.path for f in unusable)
        raise click.ClickException(
            f"no usable row in {names}; see {report.rejects_path or 'the counts above'}"
        )


@main.command()
@click.option(
    "--method",
    type=click.Choice(["louvain", "leiden", "components"]),
    default="louvain",
    show_default=True,
)
@click.option(
    "--resolution",
    type=float,
    default=1.0,
    show_default=True,
    help="Louvain/Leiden resolution: higher gives smaller groups.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Random seed: the same seed gives the same groups.",
)
@click.option(
    "--ignore",
    "ignore_file",
    type=click.Path(path_type=Path),
    help="For this run, besides the store's ignore list: a file of identifiers never to link "
    "on, one `kind:value` a line (e.g. phone:+31201234567) or a CSV kind,value,reason.",
)
@click.option(
    "--image-distance",
    type=int,
    default=10,
    show_default=True,
    help="Pictures whose hashes differ in at most this many of 64 bits count as the same picture.",
)
@pass_ctx
@friendly
def cluster(
    ctx: Context,
    method: str,
    resolution: float,
    seed: int,
    ignore_file: Path | None,
    image_distance: int,
) -> None:
    """Find the groups behind the ads and write them to the store.

    \b
    Example:
      graphthb cluster --method louvain --seed 7
    """
    from graphthb.analysis.graph import Settings
    from graphthb.analysis.groups import cluster as run_cluster
    from graphthb.ignorelist import for_run, read_run_file

    extra = read_run_file(ignore_file) if ignore_file is not None else {}
    with ctx.store(started=True) as store, _progress("clustering") as bar:
        # The store's ignore list: generic lines found in earlier cases (`graphthb ignore`).
        settings = Settings(image_distance=image_distance, ignore=for_run(store, extra))
        result = run_cluster(
            store,
            method=method,
            resolution=resolution,
            seed=seed,
            settings=settings,
            progress=bar.set_stage,
        )
        ctx.touched = sum(g.size for g in result.groups)
    multi = result.organised
    say(
        f"{len(result.groups)} groups ({len(multi)} with two or more ads), method {method}, seed {seed}"
    )
    for note in result.notes:
        say(f"note: {note}")
    say("next: graphthb groups --top 10")


@main.command()
@click.option("--top", type=int, default=10, show_default=True, help="How many groups, best first.")
@click.option("--all", "show_all", is_flag=True, help="Every group, lone ads included.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@pass_ctx
@friendly
def groups(ctx: Context, top: int, show_all: bool, fmt: str) -> None:
    """List the groups, ranked by how likely they are organised.

    \b
    Example:
      graphthb groups --top 5
      graphthb groups --all --format json > groups.json
    """
    from graphthb.analysis.groups import read_groups

    with ctx.store() as store:
        found = read_groups(store)
        chosen = found if show_all else found[:top]
        ctx.touched = sum(g.size for g in chosen)
    if not found:
        raise GraphthbError("no groups yet: run `graphthb cluster` first")
    if fmt == "json":
        click.echo(json.dumps([g.as_dict() for g in chosen], indent=2, ensure_ascii=False))
        return
    rows = [
        [
            g.group_id,
            g.score,
            g.confidence.get("level", ""),
            g.size,
            ",".join(g.countries),
            g.summary,
        ]
        for g in chosen
    ]
    columns = ["group", "score", "confidence", "ads", "countries", "summary"]
    click.echo(render(columns, rows, fmt, width=100, max_width=terminal_width()))


@main.command()
@click.argument("group_id")
@click.option(
    "--evidence",
    is_flag=True,
    help="Also list every fact that binds the group, with its provenance.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_ctx
@friendly
def show(ctx: Context, group_id: str, evidence: bool, fmt: str) -> None:
    """Explain one group: its score indicator by indicator, and what binds it.

    \b
    Example:
      graphthb show G-1a2b3c4d --evidence
    """
    from graphthb.analysis.explain import explain_text, group_facts
    from graphthb.analysis.groups import read_group

    with ctx.store() as store:
        group = read_group(store, group_id)
        facts = group_facts(store, group) if evidence else None
        ctx.touched = group.size
    if fmt == "json":
        out = group.as_dict()
        if facts is not None:
            out["facts"] = facts
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        click.echo(explain_text(group, facts, width=terminal_width()))


@main.command()
@click.argument("cypher", required=False)
@click.option(
    "-f",
    "--file",
    "file",
    type=click.Path(path_type=Path),
    help="Read the query from a .cypher file.",
)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A query parameter (repeatable); VALUE is JSON if it parses as JSON, else text.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "--write",
    is_flag=True,
    help="Allow the query to change the store, and to read and write files (LOAD, COPY).",
)
@pass_ctx
@friendly
def query(
    ctx: Context,
    cypher: str | None,
    file: Path | None,
    params: tuple[str, ...],
    fmt: str,
    write: bool,
) -> None:
    """Run a Cypher query; read-only unless --write.

    Without --write the query reads the graph and nothing else: one statement,
    no clause that changes the store, no file read or written (LOAD CSV, LOAD
    FROM, COPY, EXPORT), no other database attached, no extension loaded, and
    only schema procedures called (db.labels() and SHOW INDEXES on Neo4j,
    show_tables() on the embedded store). The embedded store is opened
    read-only and Neo4j runs the query in a read transaction, so the database
    refuses writes as well. --write lifts all of this: a deliberate change by
    the analyst, files included.

    Values go in as parameters ($name), never into the query text.

    \b
    Example:
      graphthb query "MATCH (p:Phone)<-[:HAS_PHONE]-(a:Ad) RETURN p.key, count(a) AS ads ORDER BY ads DESC LIMIT 5"
      graphthb query -f cypher/personas_per_phone.cypher --param min_personas=3
    """
    from graphthb.queries import load_query

    if (cypher is None) == (file is None):
        raise click.UsageError("give a query or -f FILE, not both and not neither")
    bound = _parse_params(params)
    if file is not None:
        saved = load_query(file)
        cypher = saved.text
        bound = saved.bind(bound)
    with ctx.store(read_only=not write) as store:
        result = store.query(cypher or "", bound, write=write)
        ctx.touched = len(result.rows)
    click.echo(render(result.columns, result.rows, fmt, max_width=terminal_width()))


def _parse_params(items: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        try:
            out[name] = json.loads(value)
        except json.JSONDecodeError:
            out[name] = value
    return out


@main.command()
@click.option(
    "--truth",
    type=click.Path(path_type=Path),
    required=True,
    help="A truth file: record_id,group (and source, where record_ids repeat across sources).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_ctx
@friendly
def evaluate(ctx: Context, truth: Path, fmt: str) -> None:
    """Score the current groups against planted truth (synthetic worlds only).

    \b
    Example:
      graphthb evaluate --truth sample_data/truth.csv
    """
    from graphthb.analysis.evaluate import read_truth, score, truth_by_ad
    from graphthb.analysis.groups import read_groups

    truth_map = read_truth(truth)
    with ctx.store() as store:
        found = read_groups(store)
        ad_keys = store.read_nodes("Ad", [])["key"].astype(str).tolist()
    if not found:
        raise GraphthbError("no groups yet: run `graphthb cluster` first")
    truth_map = truth_by_ad(truth_map, ad_keys)
    predicted = {m: g.group_id for g in found for m in g.members}
    figures = score(predicted, truth_map, [g.group_id for g in found])
    if fmt == "json":
        click.echo(json.dumps(figures, indent=2))
    else:
        for name, value in figures.items():
            shown = f"{value:.4f}" if isinstance(value, float) else value
            click.echo(f"{name:>24}  {shown}")


@main.command()
@click.option("--records", "n", type=int, default=3000, show_default=True, help="How many records.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder to write records.csv, links.csv and truth.csv into.",
)
@click.option("--hard", is_flag=True, help="Every hard situation below at once (docs/quality.md).")
@click.option(
    "--shared-templates", type=float, help="Share of groups posting in pairs from one template."
)
@click.option(
    "--lone-pictures", type=float, help="Share of group ads tied in only by a re-encoded picture."
)
@click.option(
    "--picture-independents",
    type=float,
    help="Share of prolific independents whose ads mostly show pictures only.",
)
@click.option("--small-lines", type=float, help="Generic lines in only 2-4 ads, per 1,000 records.")
@click.option("--rings/--no-rings", default=None, help="Two analyst-sized rings of 10 and 8 ads.")
@click.option("--scale", type=float, help="Groups this many times larger (and fewer).")
@pass_ctx
@friendly
def synth(ctx: Context, n: int, seed: int, out: Path, hard: bool, **situations: Any) -> None:
    """Write a synthetic trafficking world: records, links and truth.

    Everything in it is invented; it exists to test and demonstrate graphthb.
    Without options it is the same world as ever; each option adds one hard
    situation (docs/synthetic-world.md), --hard all of them.

    \b
    Example:
      graphthb synth --records 10000 --seed 3 -o world/
      graphthb synth --records 3000 --hard --scale 2 -o hard/
    """
    import dataclasses

    from graphthb.synth import HARD, Situations, generate

    if n < 1:
        raise click.BadParameter("must be at least 1", param_hint="--records")
    chosen = {k: v for k, v in situations.items() if v is not None}
    asked = dataclasses.replace(HARD if hard else Situations(), **chosen)
    counts = generate(
        out,
        n,
        seed,
        situations=None if asked.plain else asked,
        protected=protected_paths(ctx.setting),
    )
    say(f"wrote {out}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@main.command()
@click.argument("group_id", required=False)
@click.option(
    "--around",
    metavar="KIND:VALUE",
    help="Draw everything near one identifier, e.g. phone:+31612345678, ad:SOURCE/R-0001 "
    "or ad:R-0001 (a record_id that names one ad).",
)
@click.option("--hops", type=click.IntRange(1, 4), default=2, show_default=True)
@click.option("--overview", is_flag=True, help="Draw every group as one node.")
@click.option(
    "-o", "--out", type=click.Path(path_type=Path), required=True, help="The HTML file to write."
)
@click.option(
    "--reveal",
    is_flag=True,
    help="Show potential victims' persona names, ages and pictures instead of pseudonyms.",
)
@pass_ctx
@friendly
def view(
    ctx: Context,
    group_id: str | None,
    around: str | None,
    hops: int,
    overview: bool,
    out: Path,
    reveal: bool,
) -> None:
    """Write an interactive network view as one self-contained HTML file.

    \b
    Example:
      graphthb view G-1a2b3c4d -o group.html
      graphthb view --around phone:+31612345678 --hops 2 -o phone.html
      graphthb view --overview -o overview.html
    """
    from graphthb import views

    chosen = sum(x is not None and x is not False for x in (group_id, around, overview or None))
    if chosen != 1:
        raise click.UsageError("give one of GROUP_ID, --around KIND:VALUE or --overview")
    with ctx.store() as store:
        if group_id:
            with _progress("drawing", unit="nodes") as bar:
                bar.set_stage(f"group {group_id}")
                info = views.group_view(store, group_id, out, reveal=reveal)
        elif around:
            kind_word, sep, value = around.partition(":")
            if not sep:
                raise click.BadParameter(
                    "write KIND:VALUE, e.g. phone:+31612345678", param_hint="--around"
                )
            from graphthb.ingest.records import AdIndex, Reject, resolve

            try:
                kind, key, _ = resolve(kind_word, value.strip(), "around")
                if kind == "Ad":  # source/record_id, or a record_id naming one ad
                    key, _ = AdIndex(store.read_nodes("Ad", [])["key"]).resolve(key, "around")
            except Reject as exc:
                raise click.BadParameter(str(exc), param_hint="--around") from None
            with _progress("drawing", unit="nodes") as bar:
                bar.set_stage(f"around {kind.lower()} {key}")
                info = views.around_view(store, kind, key, hops, out, reveal=reveal)
        else:
            with _progress("drawing", unit="nodes") as bar:
                bar.set_stage("the overview")
                info = views.overview(store, out)
    for note in getattr(info, "notes", []):
        say(f"note: {note}")
    say(f"wrote {info.path} ({info.nodes} nodes, {info.edges} edges); open it in any browser")


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["graphml", "gexf", "csv", "json"]), required=True
)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="A file (graphml, gexf, json) or a folder (csv).",
)
@click.option(
    "--reveal",
    is_flag=True,
    help="Keep potential victims' persona names, ages and pictures instead of pseudonyms.",
)
@pass_ctx
@friendly
def export(ctx: Context, fmt: str, out: Path, reveal: bool) -> None:
    """Export the graph: GraphML or GEXF for Gephi, CSV for neo4j-admin import, JSON for scripts.

    \b
    Example:
      graphthb export --format gexf -o case.gexf
      graphthb export --format csv -o import/
    """
    from graphthb.exporting import export as run_export

    with ctx.store() as store, _progress("exporting") as bar:
        bar.set_stage(f"writing {fmt}")
        written, notes = run_export(store, fmt, out, reveal=reveal)
    for note in notes:
        say(f"note: {note}")
    say(f"wrote {', '.join(str(p) for p in written)}")


@main.command()
@click.option(
    "--views",
    "views_dir",
    type=click.Path(path_type=Path),
    default=Path("graphthb-views"),
    show_default=True,
    help="Folder for the HTML views.",
)
@click.option(
    "--top", type=int, default=5, show_default=True, help="How many groups to show and draw."
)
@pass_ctx
@friendly
def demo(ctx: Context, views_dir: Path, top: int) -> None:
    """Load the bundled synthetic sample, cluster it, show the top groups, draw them.

    Uses the same store as every other command (the embedded default unless
    --db says otherwise), so `graphthb query` can ask it questions afterwards.

    \b
    Example:
      graphthb demo
      graphthb query "MATCH (g:Group) RETURN g.key, g.score ORDER BY g.score DESC LIMIT 3"
    """
    from graphthb.demo import run_demo

    with ctx.store() as store:
        run_demo(store, views_dir, top=top, echo=click.echo, say=say)


@main.command()
@click.option("--source", required=True, help="The source (collection or batch name) to remove.")
@click.option(
    "--rejects",
    type=click.Path(path_type=Path),
    help="The rejects file to remove the source's rows from "
    "(default: rejects.csv beside an embedded store, else here).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_ctx
@friendly
def purge(ctx: Context, source: str, rejects: Path | None, yes: bool) -> None:
    """Delete everything one source put in the store, and its rejected rows.

    Nodes another source also names stay, with what that source wrote
    recomputed from the remaining ads. Groups are removed too (run `graphthb
    cluster` again). The embedded store's file is rebuilt so the deleted
    bytes are gone; on Neo4j see docs/data-protection.md. Views and exports
    written earlier are your own files: delete them yourself. The audit trail
    records that the purge happened.

    \b
    Example:
      graphthb --reason "retention ended, case 2025-117" purge --source sweep-3
    """
    from graphthb.purging import purge as run_purge

    if rejects is None:
        setting = ctx.setting
        rejects = (Path(setting).parent if not is_neo4j_uri(setting) else Path(".")) / "rejects.csv"
    if not yes and not sys.stdin.isatty():
        # Nobody can answer a question from a script or a pipe: saying nothing
        # must never mean yes to deleting.
        raise GraphthbError(
            "purge deletes data and stdin is not a terminal, so it cannot ask: add --yes"
        )
    with ctx.store(started=True) as store:
        if not yes:
            click.confirm(
                f"delete every fact from source {source!r} in {store.location}?",
                abort=True,
                err=True,
            )
        report = run_purge(store, source, rejects=rejects)
        ctx.touched = report.removed.get("Ad", 0)
    for what, n in report.removed.items():
        click.echo(f"removed {n} {what}" if not what.startswith("re-") else f"{what}: {n}")
    if report.rejects_removed:
        click.echo(f"removed {report.rejects_removed} rejected rows from {report.rejects_path}")


@main.group()
def audit() -> None:
    """Read and check the audit trail of a store.

    \b
    Example:
      graphthb audit show --last 20
      graphthb audit verify
    """


@audit.command("show")
@click.option(
    "--last", type=int, default=50, show_default=True, help="How many of the latest entries."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@pass_ctx
@friendly
def audit_show(ctx: Context, last: int, fmt: str) -> None:
    """List the latest audit entries.

    \b
    Example:
      graphthb audit show --last 20 --format json
    """
    trail = AuditTrail(audit_path_for(ctx.setting))
    entries = trail.entries()[-last:] if last > 0 else []
    cols = ["seq", "at", "user", "command", "args", "reason", "touched", "outcome"]
    rows = [[e.get(c) for c in cols] for e in entries]
    click.echo(render(cols, rows, fmt, max_width=terminal_width()))


@audit.command("verify")
@pass_ctx
@friendly
def audit_verify(ctx: Context) -> None:
    """Check that no audit entry was edited, removed or moved, and print the head hash.

    The trail is checked against the head the store keeps, so entries cut off
    its end show too. Write the head hash down outside this machine: a later
    verify shows whether the trail still holds that entry.

    \b
    Example:
      graphthb audit verify
    """
    path = audit_path_for(ctx.setting)
    trail = AuditTrail(path)
    stored = None
    if is_neo4j_uri(ctx.setting) or Path(ctx.setting).exists():
        try:
            with open_store(
                ctx.db, user=ctx.user, password=ctx.password, database=ctx.database
            ) as s:
                stored = s.read_audit_head()
        except GraphthbError as exc:
            say(f"note: cannot read the head the store keeps ({exc}); checking the chain alone")
    n = trail.verify(stored)
    seq, digest = trail.head()
    click.echo(f"{path}: {n} entries, chain intact")
    click.echo(f"head: entry {seq} sha256 {digest}")
    if stored is not None:
        click.echo(f"the store records entry {stored[0]} as its last change: found in the trail")


@main.group()
def ignore() -> None:
    """The store's ignore list: identifiers never to link ads on (a hotel desk number).

    `graphthb cluster` sets every listed identifier aside, as it does the
    generic lines it finds itself, and names it in the groups' evidence.
    Export the list from one case and import it into the next.

    \b
    Example:
      graphthb ignore add phone +34910000000 --reason "hotel desk, Madrid"
      graphthb ignore export -o ignore.csv && graphthb --db next.lbug ignore import ignore.csv
    """


_country_option = click.option(
    "--country", help="The country of a phone written without + or 00 (a code such as ES)."
)


@ignore.command("add")
@click.argument("kind")
@click.argument("value")
@click.option("--reason", "why", required=True, help="Why it says nothing (e.g. 'hotel desk').")
@_country_option
@click.option(
    "--case",
    "found_in",
    help="The case it was found generic in (default: the global --reason, else the store).",
)
@pass_ctx
@friendly
def ignore_add(
    ctx: Context, kind: str, value: str, why: str, country: str | None, found_in: str | None
) -> None:
    """Put one identifier on the ignore list; VALUE is normalised as a load would.

    \b
    Example:
      graphthb ignore add phone "+34 910 00 00 00" --reason "hotel desk"
      graphthb ignore add phone "910 00 00 00" --country ES --reason "hotel desk"
    """
    from graphthb.ignorelist import make_entry

    entry = make_entry(kind, value, why, country=country, added_by=_user())
    with ctx.store(started=True) as store:
        entry["found_in"] = found_in or ctx.reason or store.location
        added = store.add_ignored([entry])
        ctx.touched = len(added)
    if added:
        click.echo(
            f"on the ignore list: {entry['kind'].lower()} {entry['value']} ({entry['reason']})"
        )
    else:
        click.echo(f"already on the ignore list: {entry['kind'].lower()} {entry['value']}")
    say("the next `graphthb cluster` sets it aside")


@ignore.command("remove")
@click.argument("kind")
@click.argument("value")
@_country_option
@pass_ctx
@friendly
def ignore_remove(ctx: Context, kind: str, value: str, country: str | None) -> None:
    """Take one identifier off the ignore list.

    \b
    Example:
      graphthb ignore remove phone +34910000000
    """
    from graphthb.ignorelist import normalise

    k, key = normalise(kind, value, country)
    with ctx.store(started=True) as store:
        gone = store.remove_ignored(k, key)
        ctx.touched = 1 if gone else 0
    if gone is None:
        raise NotFoundError(f"{k.lower()} {key} is not on the ignore list; nothing changed")
    click.echo(f"off the ignore list: {k.lower()} {key}")
    say("the next `graphthb cluster` links on it again")


@ignore.command("list")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@pass_ctx
@friendly
def ignore_list(ctx: Context, fmt: str) -> None:
    """List the ignore list: kind, value, reason, who added it, when, and in which case.

    \b
    Example:
      graphthb ignore list --format csv
    """
    from graphthb.ignorelist import COLUMNS

    with ctx.store(read_only=True) as store:
        entries = store.read_ignored()
        ctx.touched = len(entries)
    rows = [[e[c] for c in COLUMNS] for e in entries]
    click.echo(render(COLUMNS, rows, fmt, max_width=terminal_width()))


@ignore.command("export")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True, help="The CSV file.")
@pass_ctx
@friendly
def ignore_export(ctx: Context, out: Path) -> None:
    """Write the ignore list to a CSV file that `graphthb ignore import` reads.

    \b
    Example:
      graphthb ignore export -o ignore.csv
    """
    from graphthb.ignorelist import COLUMNS
    from graphthb.safefile import write_text

    with ctx.store(read_only=True) as store:
        entries = store.read_ignored()
        ctx.touched = len(entries)
    text = render(COLUMNS, [[e[c] for c in COLUMNS] for e in entries], "csv") + "\n"
    written = write_text(out, text, protected_paths(ctx.setting))
    click.echo(f"wrote {len(entries)} entr{'y' if len(entries) == 1 else 'ies'} to {written}")


@ignore.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@_country_option
@click.option(
    "--rejects",
    type=click.Path(path_type=Path),
    help="Where rejected rows go (default: ignore-rejects.csv beside an embedded store, else here).",
)
@pass_ctx
@friendly
def ignore_import(ctx: Context, file: Path, country: str | None, rejects: Path | None) -> None:
    """Add the entries of a CSV file (kind,value,reason) to the ignore list.

    Values are normalised as `ignore add` does; entries already listed are left
    as they are, so importing a file again changes nothing. Rows that cannot be
    used go to the rejects file with their line and reason.

    \b
    Example:
      graphthb --db case-18.lbug ignore import ignore.csv
    """
    from graphthb.ignorelist import import_file, read_entries
    from graphthb.safefile import write_text

    if rejects is None:
        setting = ctx.setting
        folder = Path(setting).parent if not is_neo4j_uri(setting) else Path(".")
        rejects = folder / "ignore-rejects.csv"
    protected = protected_paths(ctx.setting)
    check_not_owned(rejects, protected, "--rejects")
    read_entries(file)  # an unreadable file or header is an error before the store opens
    with ctx.store(started=True) as store:
        report = import_file(
            store, file, country=country, added_by=_user(), found_in=ctx.reason or file.name
        )
        ctx.touched = len(report.added)
        ctx.changed = [f"added {e['kind'].lower()}:{e['value']}" for e in report.added]
    click.echo(
        f"read {report.read}, added {len(report.added)}, already listed {report.already}, "
        f"rejected {len(report.rejects)}"
    )
    if report.rejects:
        cols = ["file", "line", "kind", "value", "reason", "problem"]
        rows = [[str(file), *[r.get(c, "") for c in cols[1:]]] for r in report.rejects]
        write_text(rejects, render(cols, rows, "csv") + "\n", protected)
        click.echo(f"rejected rows and reasons: {rejects}")
        if not report.added and not report.already:
            raise click.ClickException(f"no usable row in {file}; see {rejects}")


if __name__ == "__main__":  # pragma: no cover
    main()
