"""Scale and cost of graphthb, measured side by side with reference tools.

    .venv/bin/python -m benchmarks                       # 10,000 and 100,000 records
    .venv/bin/python -m benchmarks --sizes 1000000       # a million (long: see RESULTS.md)
    .venv/bin/python -m benchmarks --sizes 2000 --no-neo4j --out /tmp/r.md

For each size the project's generator (``graphthb.synth.generate``, seed 1)
writes a synthetic world, and each step below runs in a fresh Python process
(benchmarks/steps.py) whose peak resident memory is read from the kernel
(``wait4``'s ``ru_maxrss``): ingest without a store; graphthb's load into the
embedded store and into Neo4j; clustering; the view of the largest group (and
opening it in headless Chromium); and ``graphthb load``, ``cluster`` and
``groups --all`` through the command line on the embedded store.

References run in the same way on the same data: Neo4j's ``LOAD CSV`` of the
very rows graphthb sends, with graphthb's MERGE statements; one transaction per
row on a sample; LadybugDB's bulk ``COPY`` of the same tables; plain NetworkX
Louvain and igraph's multilevel on the raw ad–identifier graph; InfoShield's
published throughput. Results go to a JSON file beside the report
(``RESULTS.json`` next to ``RESULTS.md``); sizes measured in earlier runs are
kept unless ``--fresh``, so a long million-record run can be added later.
Figures only: nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import report  # noqa: E402

DEFAULT_SIZES = (10_000, 100_000)
SEED = 1
#: Random-hash sizes for the near-duplicate picture search's own curve.
IMAGE_SIZES = (10_000, 30_000, 100_000, 300_000)
PACKAGES = (
    "graphthb", "ladybug", "neo4j", "networkx", "igraph", "pandas", "numpy", "pyarrow", "scipy",
    "phonenumbers", "selenium", "psutil",
)  # fmt: skip


# ---------------------------------------------------------------------------------
# Running one step in a fresh process


class Runner:
    """Runs steps and commands as child processes and measures each one.

    Everything heavy, even set-up, runs in a child: Linux counts in a child's
    ``ru_maxrss`` the memory it shared with the runner before ``exec``, so a
    runner grown large would raise every measured peak to its own size.
    """

    def __init__(self, work: Path, timeout: float | None, verbose: bool = True) -> None:
        self.work = work
        self.timeout = timeout
        self.verbose = verbose
        self._n = 0

    def say(self, text: str) -> None:
        if self.verbose:
            print(text, file=sys.stderr, flush=True)

    def step(
        self, name: str, params: dict[str, Any], env: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """``python -m benchmarks.steps NAME`` in a new process: its result, wall time, peak RSS."""
        self._n += 1
        result_path = self.work / f"{self._n:03d}-{name}.json"
        argv = [
            sys.executable,
            "-m",
            "benchmarks.steps",
            name,
            json.dumps(params),
            str(result_path),
        ]
        self.say(f"  {name} ...")
        run = self._run(argv, self.work / f"{self._n:03d}-{name}.log", env)
        if run.get("error"):
            self.say(f"  {name}: {run['error'].splitlines()[0]}")
            return run
        result = json.loads(result_path.read_text(encoding="utf-8"))
        result.update(run)
        self.say(
            f"  {name}: {result['seconds']:.2f} s (process {run['wall']:.1f} s, "
            f"peak {run['peak_rss_mb']:.0f} MB)"
        )
        return result

    def command(self, argv: list[str], stdout: Path, label: str) -> dict[str, Any]:
        """One command line, its output to ``stdout``: wall time and peak RSS."""
        self._n += 1
        self.say(f"  {label} ...")
        run = self._run(argv, self.work / f"{self._n:03d}-{label}.log", None, stdout=stdout)
        if not run.get("error"):
            self.say(f"  {label}: {run['wall']:.2f} s, peak {run['peak_rss_mb']:.0f} MB")
        return run

    def _run(
        self,
        argv: list[str],
        log: Path,
        env: dict[str, str] | None,
        stdout: Path | None = None,
    ) -> dict[str, Any]:
        full_env = {**os.environ, **(env or {})}
        full_env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        with (
            log.open("wb") as err,
            stdout.open("wb") if stdout else contextlib.nullcontext(err) as out,
        ):
            start = time.perf_counter()
            proc = subprocess.Popen(
                argv,
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=full_env,
                start_new_session=True,  # its own process group, so a timeout ends all of it
                preexec_fn=_die_with_parent(),
            )
            timed_out = threading.Event()

            def stop() -> None:
                timed_out.set()
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)

            timer = threading.Timer(self.timeout, stop) if self.timeout else None
            if timer:
                timer.start()
            try:
                # wait4 rather than wait: it returns this child's own resource usage.
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                if timer:
                    timer.cancel()
            proc.returncode = os.waitstatus_to_exitcode(status)
            wall = time.perf_counter() - start
        measured = {
            "wall": wall,
            "peak_rss_mb": usage.ru_maxrss * 1024 / 1e6,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
        }
        if timed_out.is_set():
            return {
                **measured,
                "error": f"did not finish within {self.timeout:.0f} s",
                "timeout": True,
            }
        if proc.returncode != 0:
            tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-12:]
            return {**measured, "error": f"exit {proc.returncode}: " + "\n".join(tail)}
        return measured


def _die_with_parent() -> Any:
    """A preexec_fn that has Linux kill the child when the runner dies (Ctrl-C
    reaches only the runner, since each child has its own session)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGKILL))

    return preexec


# ---------------------------------------------------------------------------------
# One size


def run_size(size: int, args: argparse.Namespace, runner: Runner) -> dict[str, Any]:
    folder = runner.work / f"size-{size}"
    folder.mkdir(parents=True, exist_ok=True)
    world = folder / "world"
    runner.say(f"{size:,} records:")
    entry: dict[str, Any] = {
        "size": size,
        # Other work on the machine slows every step; this says whether there was any.
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "world": runner.step("generate", {"out": str(world), "records": size, "seed": SEED}),
        "steps": {},
    }
    if entry["world"].get("error"):
        raise SystemExit(f"could not generate the world: {entry['world']['error']}")
    steps = entry["steps"]
    files = {"records": str(world / "records.csv"), "links": str(world / "links.csv")}
    truth = str(world / "truth.csv")

    steps["ingest"] = runner.step("ingest", files)
    steps["read_csv"] = runner.step("read-csv", files)

    loaded_db = folder / "loaded.lbug"
    steps["load_embedded"] = runner.step(
        "load-embedded", {**files, "db": str(loaded_db), "rejects": str(folder / "rejects-emb.csv")}
    )
    ok_loaded = not steps["load_embedded"].get("error")
    if not args.skip_baselines and ok_loaded:
        steps["copy_embedded"] = runner.step(
            "copy-embedded",
            {
                "source_db": str(loaded_db),
                "db": str(folder / "copy.lbug"),
                "folder": str(folder / "parquet"),
            },
        )
        _remove(folder / "copy.lbug", folder / "parquet")

    if args.neo4j:
        neo4j_steps(folder, files, args, runner, steps)

    clustered_db = folder / "clustered.lbug"
    if ok_loaded:
        shutil.copyfile(loaded_db, clustered_db)
        steps["cluster"] = runner.step("cluster", {"db": str(clustered_db), "truth": truth})
        if not args.skip_baselines:
            for name in ("louvain-networkx", "louvain-igraph"):
                steps[name.replace("-", "_")] = runner.step(
                    name, {"db": str(loaded_db), "truth": truth}
                )
        # Kept here rather than imported: the runner stays small (see Runner).
        exact_max_images = 30_000  # graphthb.analysis.neardup.EXACT_MAX_IMAGES
        images = steps["cluster"].get("images", 0)
        if not args.skip_baselines and exact_max_images < images <= args.recall_max_images:
            steps["image_recall"] = runner.step("image-recall", {"db": str(loaded_db)})
        if not steps["cluster"].get("error"):
            html = folder / "largest-group.html"
            steps["group_view"] = runner.step(
                "group-view", {"db": str(clustered_db), "out": str(html)}
            )
            if args.browser and not steps["group_view"].get("error"):
                steps["view_browser"] = runner.step("view-browser", {"html": str(html)})

    steps["end_to_end"] = end_to_end(folder, files, runner)
    _remove(loaded_db, clustered_db)
    return entry


def neo4j_steps(
    folder: Path,
    files: dict[str, str],
    args: argparse.Namespace,
    runner: Runner,
    steps: dict[str, Any],
) -> None:
    from benchmarks import neo4j_servers

    csv_dir = folder / "neo4j-csv"
    manifest: dict[str, Any] | None = None
    if not args.skip_baselines:
        manifest = runner.step(
            "export-neo4j",
            {**files, "folder": str(csv_dir), "sample_rows": args.per_row_rows},
        )
        if manifest.get("error"):
            steps["load_csv_neo4j"] = steps["per_row_neo4j"] = manifest
            manifest = None

    plan: list[tuple[str, str, dict[str, Any]]] = [
        ("load_neo4j", "load-neo4j", {**files, "rejects": str(folder / "rejects-neo4j.csv")})
    ]
    if manifest is not None:
        plan.append(
            ("load_csv_neo4j", "load-csv-neo4j", {"manifest": str(csv_dir / "manifest.json")})
        )
        plan.append(
            (
                "per_row_neo4j",
                "per-row-neo4j",
                {"sample": str(csv_dir / manifest["sample"]["file"])},
            )
        )
    for key, name, params in plan:
        try:
            with neo4j_connection(args, folder / "neo4j-home") as conn:
                base_url = "file://"
                with contextlib.ExitStack() as stack:
                    if key == "load_csv_neo4j":
                        if conn.import_dir is not None:
                            for file in manifest["tables"]:  # type: ignore[index]
                                _link(csv_dir / file, conn.import_dir / file)
                        else:
                            base_url = stack.enter_context(neo4j_servers.serve_folder(csv_dir))
                    cpu_before = neo4j_servers.cpu_seconds(conn.pid)
                    result = runner.step(
                        name,
                        {**params, "uri": conn.uri, "user": conn.user, "base_url": base_url},
                        env={"BENCH_NEO4J_PASSWORD": conn.password},
                    )
                    cpu_after = neo4j_servers.cpu_seconds(conn.pid)
                result["server_peak_rss_mb"] = neo4j_servers.peak_rss_mb(conn.pid)
                if cpu_before is not None and cpu_after is not None:
                    result["server_cpu_seconds"] = cpu_after - cpu_before
        except Exception as exc:  # a server that cannot start is reported, not fatal
            result = {"error": f"Neo4j: {type(exc).__name__}: {exc}"}
            runner.say(f"  {name}: {result['error']}")
        steps[key] = result
    if manifest is not None:
        steps["load_csv_neo4j"]["manifest_rows"] = manifest["node_rows"] + manifest["edge_rows"]
        steps["per_row_neo4j"]["sample_records"] = manifest["sample"]["records"]
        steps["per_row_neo4j"]["total_rows"] = manifest["node_rows"] + manifest["edge_rows"]
    _remove(csv_dir)


@contextlib.contextmanager
def neo4j_connection(args: argparse.Namespace, home: Path) -> Iterator[Any]:
    from benchmarks import neo4j_servers

    if args.neo4j_uri:
        conn = neo4j_servers.Connection(
            args.neo4j_uri, args.neo4j_user, os.environ.get("NEO4J_PASSWORD", "")
        )
        neo4j_servers.wipe(conn)
        yield conn
        return
    with neo4j_servers.fresh_server(home, heap=args.neo4j_heap) as conn:
        yield conn


def end_to_end(folder: Path, files: dict[str, str], runner: Runner) -> dict[str, Any]:
    """``graphthb load``, ``cluster`` and ``groups --all --format json`` on a new embedded store."""
    db = folder / "e2e.lbug"
    base = [sys.executable, "-m", "graphthb", "--db", str(db)]
    commands = [
        ("load", [*base, "load", files["records"], "--links", files["links"],
                  "--rejects", str(folder / "rejects-e2e.csv")]),
        ("cluster", [*base, "cluster"]),
        ("groups", [*base, "groups", "--all", "--format", "json"]),
    ]  # fmt: skip
    out: dict[str, Any] = {"commands": {}}
    for label, argv in commands:
        stdout = folder / f"e2e-{label}.out"
        run = runner.command(argv, stdout, f"graphthb {label}")
        out["commands"][label] = run
        if run.get("error"):
            out["error"] = f"graphthb {label}: {run['error']}"
            break
    runs = out["commands"].values()
    out["seconds"] = sum(r["wall"] for r in runs)
    out["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    if not out.get("error"):
        counted = runner.step("count-groups", {"file": str(folder / "e2e-groups.out")})
        out["groups"], out["organised"] = counted.get("groups"), counted.get("organised")
    _remove(db, folder / "e2e-groups.out")
    return out


def image_scaling(sizes: list[int], runner: Runner) -> dict[str, Any]:
    runner.say("near-duplicate picture search on random hashes ...")
    return {str(n): runner.step("image-pairs-random", {"n": n}) for n in sizes}


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def _remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            for p in path.parent.glob(path.name + "*"):  # the store and its sidecar files
                with contextlib.suppress(OSError):
                    p.unlink()


# ---------------------------------------------------------------------------------
# The machine


def machine() -> dict[str, Any]:
    import psutil

    cpu = "unknown"
    with contextlib.suppress(OSError):
        m = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = m.group(1).strip() if m else cpu
    os_name = platform.platform()
    with contextlib.suppress(OSError):
        m = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', Path("/etc/os-release").read_text(), re.M)
        if m:
            os_name = f"{m.group(1)} (Linux {platform.release()})"
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    info = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "memory_gb": psutil.virtual_memory().total / 1e9,
        "os": os_name,
        "python": platform.python_version(),
        "packages": versions,
        "java": _first_line(["java", "-version"]),
    }
    with contextlib.suppress(Exception):
        from benchmarks import neo4j_servers

        info["neo4j"] = neo4j_servers.server_info()
    return info


def _first_line(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head}{' (with uncommitted changes)' if dirty else ''}" if head else "unknown"


# ---------------------------------------------------------------------------------
# Command line


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure graphthb at scale, side by side with reference tools, "
        "and write the results to a Markdown report.",
    )
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="records per world, comma-separated (default: 10000,100000)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "benchmarks" / "RESULTS.md",
        help="the report (default: benchmarks/RESULTS.md); results also go to the same name .json",
    )
    parser.add_argument(
        "--neo4j", action=argparse.BooleanOptionalAction, default=True, help="measure Neo4j too"
    )
    parser.add_argument(
        "--neo4j-uri",
        help="use this running server (emptied before each measurement!) instead of a fresh "
        "one per measurement; password from NEO4J_PASSWORD",
    )
    parser.add_argument("--neo4j-user", default=os.environ.get("NEO4J_USERNAME", "neo4j"))
    parser.add_argument(
        "--neo4j-heap", default="2g", help="heap of the servers started (default: 2g)"
    )
    parser.add_argument(
        "--per-row-rows",
        type=int,
        default=2_000,
        help="rows in the one-transaction-per-row sample (default: 2000)",
    )
    parser.add_argument(
        "--skip-baselines", action="store_true", help="graphthb's own steps only, no references"
    )
    parser.add_argument(
        "--browser",
        action=argparse.BooleanOptionalAction,
        default=Path("/usr/bin/chromium").exists(),
        help="time opening the group view in headless Chromium (default: when installed)",
    )
    parser.add_argument(
        "--image-sizes",
        default=None,
        help="random-hash counts for the picture search's own curve (default: "
        "10000,30000,100000,300000, plus 1000000 with a size of a million; 0 to skip)",
    )
    parser.add_argument(
        "--recall-max-images",
        type=int,
        default=200_000,
        help="compare the approximate picture search with an exact one up to this many "
        "distinct pictures (the exact search grows with their square; default: 200000)",
    )
    parser.add_argument(
        "--step-timeout", type=float, default=None, help="seconds after which a step is stopped"
    )
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--fresh", action="store_true", help="forget sizes measured earlier")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas, e.g. 10000,100000")
    if not args.sizes or min(args.sizes) < 100:
        parser.error("--sizes: each size must be at least 100 records")
    if args.image_sizes is None:
        extra = [1_000_000] if max(args.sizes) >= 1_000_000 else []
        args.image_sizes = [*IMAGE_SIZES, *extra]
    else:
        args.image_sizes = [int(s) for s in args.image_sizes.split(",") if s.strip() and int(s)]
    return args


def _reproducible(argv: list[str]) -> list[str]:
    """The arguments that change what is measured (not where the scratch files go)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("--work", "--neo4j-user"):
            skip = True
            continue
        if arg in ("--keep", "-q", "--quiet") or arg.startswith(("--work=", "--neo4j-user=")):
            continue
        out.append(arg)
    return out


#: Steps that measure reference tools, not graphthb: kept from an earlier run
#: of the same size when this one skips them.
REFERENCE_STEPS = (
    "copy_embedded", "louvain_networkx", "louvain_igraph", "image_recall", "load_csv_neo4j",
    "per_row_neo4j",
)  # fmt: skip


def _carry_references(entry: dict[str, Any], earlier: dict[str, Any] | None) -> None:
    """Keep an earlier run's reference measurements, saying when they were made.

    The references (plain NetworkX Louvain on a million ads takes over ten
    minutes) do not change with graphthb's code, so ``--skip-baselines`` keeps
    the earlier figures instead of dropping them from the report.
    """
    if not earlier:
        return
    kept = [name for name in REFERENCE_STEPS if name in earlier.get("steps", {})]
    for name in kept:
        entry["steps"].setdefault(name, earlier["steps"][name])
    if kept:
        entry["references_from"] = {
            "steps": kept,
            "date": earlier.get("references_from", {}).get("date", earlier.get("date")),
            "commit": earlier.get("references_from", {}).get("commit", earlier.get("commit")),
        }


def main(argv: list[str] | None = None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(raw)
    command = shlex.join([".venv/bin/python", "-m", "benchmarks", *_reproducible(raw)])
    json_path = args.out.with_suffix(".json")
    previous = {} if args.fresh else report.read_results(json_path)

    with contextlib.ExitStack() as stack:
        if args.work:
            work = args.work.resolve()
            work.mkdir(parents=True, exist_ok=True)
        else:
            work = Path(tempfile.mkdtemp(prefix="graphthb-bench-"))
            if not args.keep:
                stack.callback(shutil.rmtree, work, True)
        runner = Runner(work, args.step_timeout, verbose=not args.quiet)
        runner.say(f"working in {work}")
        this_machine = machine()
        stamp = {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": _commit(),
            "command": command,
            "machine": this_machine,
            "neo4j_mode": (
                "a running server (--neo4j-uri), emptied before each measurement; "
                "LOAD CSV over HTTP from the runner"
                if args.neo4j_uri
                else "a fresh server per measurement; LOAD CSV from its import folder"
            )
            if args.neo4j
            else "not measured",
        }
        results = previous
        results.setdefault("sizes", {})
        for size in args.sizes:
            entry = run_size(size, args, runner)
            entry.update(stamp)
            if args.skip_baselines:
                _carry_references(entry, results["sizes"].get(str(size)))
            results["sizes"][str(size)] = entry
            report.write(results, args.out, json_path)  # a long run leaves what it has
        if args.image_sizes and not args.skip_baselines:
            results["image_scaling"] = {**stamp, "runs": image_scaling(args.image_sizes, runner)}
        results["machine"] = this_machine
        # A child's ru_maxrss starts from the runner's own peak (Linux counts the
        # parent's memory a forked child held until exec), so the runner keeps small
        # and says how small: no child's peak below can be less than this.
        results["runner_peak_rss_mb"] = (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6
        )
        report.write(results, args.out, json_path)
    failed = report.failures(results, args.sizes)
    for line in failed:
        print(f"failed: {line}", file=sys.stderr)
    print(f"wrote {args.out} and {json_path}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
