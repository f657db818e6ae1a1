"""`python -m pipelines.unify_pipeline [report] [flags]`: the command line from before
`sequence-funnel`, kept so that existing cron lines and recipes keep working.

    python -m pipelines.unify_pipeline           = sequence-funnel load unify
    python -m pipelines.unify_pipeline report    = sequence-funnel report unify
    python -m pipelines.unify_pipeline --demo    = sequence-funnel demo
"""

from __future__ import annotations

import sys

from pipelines import cli

# The old command line's options that take a value (its command word could stand anywhere)
VALUED = ("--destination", "--dataset-name", "--pipeline-name", "--pipelines-dir", "--since",
          "--backfill", "--json-summary")  # fmt: skip


def translate(argv: list[str]) -> list[str]:
    """The old command line's words as `sequence-funnel` arguments."""
    command, rest, value_next = "load", [], False
    for word in argv:
        if not value_next and command == "load" and word in ("load", "report") and word not in rest:
            command = word
        else:
            rest.append(word)
        value_next = word in VALUED
    if command == "load" and "--demo" in rest:
        return ["demo"]
    return [command, "unify", *rest]


def main(argv: list[str] | None = None) -> int:
    return cli.main(translate(list(sys.argv[1:] if argv is None else argv)))


if __name__ == "__main__":
    sys.exit(main())
