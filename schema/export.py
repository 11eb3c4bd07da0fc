"""``python -m schema.export`` writes ``schema/schema.graphql`` from the code;
``python -m schema.export --check`` exits 1 with a unified diff when the two differ (CI).

The SDL is committed so that every schema change shows in review as a diff of GraphQL.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from pathlib import Path

from schema.root import build_schema

SDL_PATH = Path(__file__).with_name("schema.graphql")
#: The published operations: examples, and in production the only documents that run.
OPERATIONS_DIR = Path(__file__).with_name("operations")


def render_sdl() -> str:
    """The schema as SDL, as the code defines it."""
    return build_schema().as_str() + "\n"


def sdl_drift(path: Path = SDL_PATH) -> str:
    """A unified diff from the file at ``path`` to the code's SDL; empty when they agree."""
    written = path.read_text(encoding="utf-8") if path.exists() else ""
    return "".join(
        difflib.unified_diff(
            written.splitlines(keepends=True),
            render_sdl().splitlines(keepends=True),
            fromfile=str(path),
            tofile="schema (code)",
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Write or check the SDL file; the exit status is for CI."""
    parser = argparse.ArgumentParser(prog="python -m schema.export", description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--path", type=Path, default=SDL_PATH, help="the SDL file")
    args = parser.parse_args(argv)
    if args.check:
        drift = sdl_drift(args.path)
        if drift:
            sys.stdout.write(drift)
            sys.stderr.write(f"{args.path} is out of date: run `python -m schema.export`\n")
            return 1
        return 0
    args.path.write_text(render_sdl(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
