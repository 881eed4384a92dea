"""`python -m bench [SCENARIO [options]]` (what `make bench` runs); `python -m bench compare --ref REF`.

With no scenario it runs the set the performance targets are measured on: `menu`, `realtime`
back to back, `realtime` paced at one order a second per tablet, `stores` and `fanout`;
its only options are `--no-targets` and `--database-url`, passed to each. Each benchmark
prints a report with its targets and writes it as JSON to bench/results/ (latest.json holds
them all); the run exits 1 when a benchmark failed or missed a target (`--no-targets`:
report them, exit 0 unless a benchmark failed). `compare` runs a set against a commit and
the working tree and prints the ratios (bench/compare.py; `make bench-compare REF=…`).
The database is BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tableorder_bench).
"""

import argparse
import importlib
import sys

SUBCOMMANDS = {
    "menu": ("bench.menu", "menu reads (200 and 304): rate, latency, server CPU and queries per request"),
    "realtime": ("bench.realtime", "N tablets order in a closed loop while K dashboards listen"),
    "stores": ("bench.stores", "1, 10, 25 and 50 stores of 4 tablets and 1 dashboard each at once"),
    "fanout": ("bench.fanout", "1,000 idle streams on one worker: memory and time for one event to reach all"),
    "dashboard": ("bench.dashboard", "the live dashboard's snapshot and current orders for a busy floor"),
    "reports": ("bench.reports", "sales reports by day, hour, item and table over a year of a busy store"),
    "printing": ("bench.printing", "tablets order; their kitchen tickets go through the print agent to a printer"),
    "friday": ("bench.friday", "500 stores' tablets and dashboards streaming while orders arrive at random; --deploy"),
    "notify": ("bench.notify", "commits/s of one database with and without pg_notify, while listeners drain"),
    "compare": ("bench.compare", "the same benchmarks against a commit and the working tree, with ratios"),
}
# Menu reads, tablets ordering back to back, the same tablets at a restaurant's pace (one order
# a second each, well below capacity), many stores at once, and the fan-out to 1,000 streams.
DEFAULT_RUN = [
    ("menu", []),
    ("realtime", []),
    ("realtime", ["--think-time", "1"]),
    ("stores", []),
    ("fanout", []),
]


def parser():
    described = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    described.add_argument(
        "subcommand",
        nargs="?",
        choices=sorted(SUBCOMMANDS),
        help="; ".join(f"{name}: {text}" for name, (_module, text) in SUBCOMMANDS.items())
        + ". Without one: the default set. `python -m bench SCENARIO --help` lists a scenario's options.",
    )
    described.add_argument("--no-targets", action="store_true", help="report the targets, do not fail on them")
    described.add_argument("--database-url", help="the PostgreSQL database for every benchmark of the set")
    return described


def run_default(options):
    """The default set, one benchmark after another; 1 if any failed or missed a target."""
    shared = (["--no-targets"] if options.no_targets else []) + (
        ["--database-url", options.database_url] if options.database_url else []
    )
    failed = []
    for name, scenario_options in DEFAULT_RUN:
        status = importlib.import_module(SUBCOMMANDS[name][0]).main([*scenario_options, *shared]) or 0
        if status:
            failed.append(" ".join([name, *scenario_options]))
        print()
    if failed:
        print(f"failed or missed a target: {'; '.join(failed)}")
    else:
        print(f"all {len(DEFAULT_RUN)} benchmarks ran" + ("" if options.no_targets else " and met their targets"))
    return 1 if failed else 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        module, _help = SUBCOMMANDS[argv[0]]
        return importlib.import_module(module).main(argv[1:]) or 0
    described = parser()
    options = described.parse_args(argv)
    if options.subcommand:
        described.error(f"options of {options.subcommand} go after it: python -m bench {options.subcommand} …")
    return run_default(options)


if __name__ == "__main__":
    sys.exit(main())
