"""`python -m bench [realtime|fanout|menu|dashboard] [options]` (what `make bench` runs).

With no arguments it runs the benchmarks of the event stream: `realtime` back to back,
`realtime` paced, then `fanout`; options without a subcommand go to `realtime`. Each
prints a report and writes it as JSON to bench/results/ (latest.json holds them all).
"""

import argparse
import importlib
import sys

SUBCOMMANDS = {
    "realtime": ("bench.realtime", "N tablets order in a closed loop while K dashboards listen"),
    "fanout": ("bench.fanout", "1,000 idle streams on one worker: memory and time for one event to reach all"),
    "menu": ("bench.menu", "menu reads"),
    "dashboard": ("bench.dashboard", "the live dashboard's snapshot and current orders for a busy floor"),
}
# The closed loop of the issue, the same tablets at a restaurant's pace (one order a second
# each, well below capacity), and the fan-out to 1,000 streams.
DEFAULT_RUN = [("realtime", []), ("realtime", ["--think-time", "1"]), ("fanout", [])]


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in {"-h", "--help"}:
        parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
        parser.add_argument(
            "subcommand", choices=sorted(SUBCOMMANDS), help="; ".join(f"{k}: {v[1]}" for k, v in SUBCOMMANDS.items())
        )
        parser.print_help()
        return 0
    if argv and argv[0] in SUBCOMMANDS:
        module, _help = SUBCOMMANDS[argv[0]]
        return importlib.import_module(module).main(argv[1:]) or 0
    if argv:
        return importlib.import_module(SUBCOMMANDS["realtime"][0]).main(argv) or 0
    status = 0
    for name, options in DEFAULT_RUN:
        status = importlib.import_module(SUBCOMMANDS[name][0]).main(options) or status
    return status


if __name__ == "__main__":
    sys.exit(main())
