"""`python -m reliability soak|faults [options]` (what `make soak` and `make faults` run)."""

import importlib
import sys

SUBCOMMANDS = {
    "soak": "reliability.soak",
    "faults": "reliability.faults",
}


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in SUBCOMMANDS:
        print(f"usage: python -m reliability {{{','.join(SUBCOMMANDS)}}} [options]  (--help after one for its options)")
        return 2
    return importlib.import_module(SUBCOMMANDS[argv[0]]).main(argv[1:]) or 0


if __name__ == "__main__":
    sys.exit(main())
