"""Compare: the same benchmarks against a commit and the working tree, figures side by side.

    python -m bench compare --ref REF [--scenarios menu,realtime,paced,stores,fanout]
                            [--duration 8] [--stores 1,10,25,50] [--database-url URL] [--no-targets]
    make bench-compare REF=<commit> [BENCH_ARGS="--scenarios menu,realtime --duration 5"]

Checks REF out into a temporary git worktree (removed afterwards). Then, scenario by
scenario, runs this checkout's benchmark code against a server started from REF's tree and
right after against one started from the working tree: the same machine, the same settings,
each side on a fresh database of its own (URL's name + `_ref` / `_tree`, migrated by that
side's code). Absolute figures drift between runs on a shared machine, so the ratios
(working tree / REF) of one run are the figures to compare. The defaults run every scenario
on both sides; `--scenarios` picks fewer.

Exits 1 when a run failed or the working tree missed a target: the benchmarks' own, plus
back-to-back orders/second at least 2× REF's (`--no-targets`: report only). Writes
bench/results/compare.json.
"""

import argparse
import contextlib
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import fanout as fanout_bench
from bench import machine_load, save_results
from bench import menu as menu_bench
from bench import realtime as realtime_bench
from bench import stores as stores_bench
from bench.server import DEFAULT_DATABASE_URL, ROOT, ensure_database
from bench.targets import Target, add_targets_argument, exit_status

TARGET_ORDERS_RATIO = 2.0


def _menu_figures(results):
    figures = []
    phases = (("full_200", "menu GET 200"), ("revalidated_304", "menu GET 304"), ("healthz_floor", "healthz"))
    for phase, label in phases:
        data = results[phase]
        figures += [
            (f"{label}: requests/s", data["requests_per_second"]),
            (f"{label}: app CPU ms/request", data["cpu_per_request"]["workers_ms"]),
            (f"{label}: PostgreSQL CPU ms/request", data["cpu_per_request"]["postgres_ms"]),
            (f"{label}: p99 ms", data["latency_ms"].get("p99")),
        ]
        if "database_per_request" in data:
            figures.append((f"{label}: DB transactions/request", data["database_per_request"]["transactions"]))
            figures.append((f"{label}: DB rows read/request", data["database_per_request"]["rows_read"]))
    return figures


def _realtime_figures(label, results):
    return [
        (f"{label}: orders/s", results["orders_per_second"]),
        (f"{label}: app CPU ms/order", results["cpu_per_order"]["workers_ms"]),
        (f"{label}: PostgreSQL CPU ms/order", results["cpu_per_order"]["postgres_ms"]),
        (f"{label}: POST p99 ms", results["post_latency_ms"].get("p99")),
        (f"{label}: tap→dashboard p50 ms", results["delivery_latency_ms"].get("p50")),
        (f"{label}: tap→dashboard p99 ms", results["delivery_latency_ms"].get("p99")),
        (f"{label}: undelivered", results["undelivered"]),
    ]


def _stores_figures(results):
    figures = []
    for count, run_results in results["runs"].items():
        figures += [
            (f"{count} stores: orders/s", run_results["orders_per_second"]),
            (f"{count} stores: app CPU ms/order", run_results["cpu_per_order"]["workers_ms"]),
            (f"{count} stores: tap→dashboard p99 ms", run_results["delivery_latency_ms"].get("p99")),
        ]
    return figures


def _fanout_figures(results):
    return [
        ("fan-out: KiB per idle stream", results["memory_per_connection_kib"]),
        ("fan-out: worker threads with all open", results["worker_threads_after"]),
        ("fan-out: worst ms to all streams", results["time_to_all_ms"].get("max")),
        ("fan-out: app CPU ms per event (median)", results["worker_cpu_ms_per_event"].get("p50")),
    ]


# name: (module, its options besides --database-url (from this run's options), the figures of its results)
SCENARIOS = {
    "menu": (menu_bench, lambda o: ["--duration", str(o.duration)], _menu_figures),
    "realtime": (
        realtime_bench,
        lambda o: ["--duration", str(o.duration)],
        lambda r: _realtime_figures("back to back", r),
    ),
    "paced": (
        realtime_bench,
        lambda o: ["--duration", str(o.duration), "--think-time", "1"],
        lambda r: _realtime_figures("paced 1/s", r),
    ),
    "stores": (stores_bench, lambda o: ["--duration", str(o.duration), "--stores", o.stores], _stores_figures),
    "fanout": (fanout_bench, lambda o: [], _fanout_figures),
}


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench compare", description=__doc__.splitlines()[0])
    parser.add_argument("--ref", required=True, help="the commit to compare the working tree with (e.g. HEAD~3)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"of {', '.join(SCENARIOS)} (default: all)")
    parser.add_argument(
        "--duration", type=float, default=8.0, help="measured seconds per phase or run (default %(default)s)"
    )
    parser.add_argument("--stores", default="1,10,25,50", help="the stores scenario's numbers of stores")
    parser.add_argument(
        "--database-url", default=DEFAULT_DATABASE_URL, help="its name + _ref / _tree are the two databases"
    )
    add_targets_argument(parser)
    args = parser.parse_args(argv)
    args.scenarios = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = [name for name in args.scenarios if name not in SCENARIOS]
    if unknown or not args.scenarios:
        parser.error(f"--scenarios: choose from {', '.join(SCENARIOS)}")
    return args


def side_database_url(database_url, suffix):
    """The URL with `_suffix` added to the database's name."""
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path=f"{parts.path}_{suffix}"))


def _git(*args, cwd=ROOT):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


@contextlib.contextmanager
def worktree(ref):
    """REF checked out (detached) in a temporary git worktree: (its path, the commit); removed afterwards."""
    parent = Path(tempfile.mkdtemp(prefix="tableorder-bench-ref-"))
    path = parent / "tree"
    _git("worktree", "add", "--detach", str(path), ref)
    try:
        yield path, _git("rev-parse", "HEAD", cwd=path)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, capture_output=True, check=False)
        shutil.rmtree(parent, ignore_errors=True)


def working_tree_name():
    """The working tree's commit, and how many tracked files differ from it."""
    head = _git("rev-parse", "--short", "HEAD")
    changed = len(_git("status", "--porcelain", "--untracked-files=no").splitlines())
    return f"{head} + {changed} changed files" if changed else head


def run_side(name, args, database_url, root):
    """One scenario against one side: (results or None, the error that stopped it or None, machine load)."""
    module, options, _figures = SCENARIOS[name]
    scenario_args = module.parse_args([*options(args), "--database-url", database_url])
    load = machine_load()
    try:
        results = module.run(scenario_args, root=root)
    except Exception as error:  # one side's failure is reported and the comparison goes on
        return None, f"{type(error).__name__}: {error}", load
    print(module.report(results))
    if not getattr(module, "worked", lambda _results: True)(results):
        return results, "some requests failed (see the report)", load
    return results, None, load


def table(rows):
    """Figure | REF | working tree | ratio, as aligned text."""
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = []
    for index, row in enumerate(rows):
        lines.append(
            "  ".join(
                cell.ljust(width) if column == 0 else cell.rjust(width)
                for column, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _cell(value):
    return "—" if value is None else f"{value:g}"


def ratio_of(before, after):
    """after / before to three significant digits, or None when there is no ratio (the tree/REF
    column; public for bench/tests)."""
    if before in (None, 0) or after is None:
        return None
    return float(f"{after / before:.3g}")


def compare(args):
    sides = {"ref": side_database_url(args.database_url, "ref"), "tree": side_database_url(args.database_url, "tree")}
    for url in sides.values():
        ensure_database(url, fresh=True)
    runs, errors = {}, []
    with worktree(args.ref) as (ref_root, ref_commit):
        tree_name = working_tree_name()
        print(f"== compare: REF {args.ref} ({ref_commit[:12]}) at {ref_root} against the working tree ({tree_name})")
        for name in args.scenarios:
            runs[name] = {}
            for side, root in (("ref", ref_root), ("tree", ROOT)):
                print(f"-- {name}, {'REF' if side == 'ref' else 'working tree'}")
                results, error, load = run_side(name, args, sides[side], root)
                runs[name][side] = {"results": results, "error": error, "machine_before": load}
                if error:
                    errors.append(f"{name} on {side}: {error}")
                    print(error)
    rows, figures = [("figure", f"REF {args.ref}", "working tree", "tree/REF")], []
    for name, sides_run in runs.items():
        ref_results, tree_results = sides_run["ref"]["results"], sides_run["tree"]["results"]
        figure_of = SCENARIOS[name][2]
        before = dict(figure_of(ref_results)) if ref_results else {}
        after = dict(figure_of(tree_results)) if tree_results else {}
        for label in dict.fromkeys([*before, *after]):
            ratio = ratio_of(before.get(label), after.get(label))
            figures.append({"figure": label, "ref": before.get(label), "tree": after.get(label), "ratio": ratio})
            rows.append((label, _cell(before.get(label)), _cell(after.get(label)), _cell(ratio)))
    checked = targets(runs)
    return (
        {
            "ref": args.ref,
            "ref_commit": ref_commit,
            "working_tree": tree_name,
            "scenarios": args.scenarios,
            "duration": args.duration,
            "figures": figures,
            "runs": runs,
            "errors": errors,
            "targets": [target.as_dict() for target in checked],
        },
        table(rows),
        checked,
    )


def targets(runs):
    """The working tree's targets in every scenario, and its back-to-back orders/second over REF's."""
    checked = []
    for name, sides_run in runs.items():
        module = SCENARIOS[name][0]
        tree_results = sides_run["tree"]["results"]
        if tree_results is not None and hasattr(module, "targets"):
            checked += module.targets(tree_results)
    if "realtime" in runs:
        ref_results, tree_results = runs["realtime"]["ref"]["results"], runs["realtime"]["tree"]["results"]
        ratio = (
            ratio_of(ref_results["orders_per_second"], tree_results["orders_per_second"])
            if ref_results and tree_results
            else None
        )
        checked.append(Target("back-to-back orders/s, working tree over REF", ratio, TARGET_ORDERS_RATIO, "×", True))
    return checked


def main(argv=None):
    args = parse_args(argv or [])
    results, text, checked = compare(args)
    print()
    print(text)
    for target in checked:
        print(target.line())
    for error in results["errors"]:
        print(f"failed: {error}")
    print(f"(written to {save_results('compare', results)})")
    return exit_status(ok=not results["errors"], targets=checked, enforce=not args.no_targets)
