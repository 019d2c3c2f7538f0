#!/usr/bin/env python3
"""Writes python/kcsim/__init__.pyi, the type stubs of the kcsim package, from the commands' own
--help: each verb's keyword arguments are its command's flags (dashes as underscores), typed and
with their defaults, so that an editor completes them and the stubs cannot drift from the flags.

    PYTHONPATH=build/python /usr/bin/python3 scripts/python_stubs.py [--check]

--check writes nothing and fails (exit 1) when the shipped stubs differ from what the flags give;
the ctest test python_module runs it that way.
"""
import os
import re
import sys

import kcsim

STUBS = os.path.join(os.path.dirname(__file__), "..", "python", "kcsim", "__init__.pyi")

# Each verb: its command, and the positional parameters it takes before the flags.
VERBS = [
    ("train", []), ("serve", []), ("run", ["scenario"]), ("replay", ["prefix"]),
    ("plan", []), ("topo", ["cluster"]), ("validate", []), ("chips", []), ("models", []),
    ("runtimes", []), ("policies", []),
]
# Flags a verb sets itself: --json (a verb returns the JSON), --help.
OWN_FLAGS = {"help", "json"}
# sweep() takes these as parameters of its own (sweep_signature); --quiet it always sets.
SWEEP_OWN = OWN_FLAGS | {"out", "jobs", "quiet"}
TYPES = {"TEXT": "str", "INT": "int", "UINT": "int", "FLOAT": "float"}

HEADER = '''\
# Type stubs of the kcsim package, written by scripts/python_stubs.py from each command's --help:
# a verb's keyword arguments are its command's flags with dashes as underscores, and it returns
# the command's --json output as a dict. Do not edit; run the script after changing a flag.
from typing import Any, Callable, NamedTuple, Sequence, TextIO, Tuple

import pandas

class Error(Exception):
    message: str
    exit_code: int

class InputError(Error):
    file: str | None
    line: int
    column: int
    field: str | None

class Infeasible(Error): ...
class InternalError(Error): ...

class Progress(NamedTuple):
    done: int
    total: int
    rate_per_s: float
    elapsed_s: float
    eta_s: float | None

def command(*words: object) -> Tuple[int, str, str]: ...
def text_progress(report: Progress, stream: TextIO | None = ...) -> None: ...
def read_sweep(path: str) -> pandas.DataFrame: ...
def read_series(path: str, point: int, run: int = ...) -> pandas.DataFrame: ...
def frontier(table: pandas.DataFrame, x: str, y: str) -> pandas.DataFrame: ...
'''


def help_entries(verb):
    """(name, python type, required, repeatable) of each flag and positional of `kcsim VERB`."""
    code, text, errors = kcsim.command(verb, "--help")
    if code != 0:
        raise SystemExit(f"kcsim {verb} --help failed: {errors}")
    entries = []
    for line in text.splitlines():
        if not line.startswith("  ") or line.startswith("   "):
            continue  # a description carried onto its own line, or a heading
        head = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
        names, _, spec = head.partition(" ")
        name = names.split(",")[-1].lstrip("-").replace("-", "_")
        kind = re.match(r"[A-Z]*", spec).group(0)
        entries.append((name, TYPES.get(kind, "bool"), "REQUIRED" in spec, "..." in spec))
    return entries


def parameter(name, python_type, required, repeatable):
    annotation = f"{python_type} | Sequence[{python_type}]" if repeatable else python_type
    return f"{name}: {annotation}" if required else f"{name}: {annotation} | None = ..."


def signature(verb, positionals, skip):
    entries = help_entries(verb)
    ordered = [e for e in entries if e[0] in positionals]
    ordered.sort(key=lambda e: positionals.index(e[0]))
    flags = [e for e in entries if e[0] not in positionals and e[0] not in skip]
    parts = [parameter(name, t, True, r) for name, t, _, r in ordered]
    if flags:
        parts.append("*")
        # Required flags first, so that the stub is valid Python whatever the order of --help.
        parts += [parameter(*e) for e in flags if e[2]]
        parts += [parameter(*e) for e in flags if not e[2]]
    return parts


def function(name, parts, returns):
    """A stub, one parameter a line when they do not fit on one."""
    one_line = f"def {name}({', '.join(parts)}) -> {returns}: ..."
    if len(one_line) <= 100:
        return one_line
    return f"def {name}(\n" + "".join(f"    {p},\n" for p in parts) + f") -> {returns}: ..."


def stubs():
    lines = [HEADER]
    for verb, positionals in VERBS:
        parts = signature(verb, positionals, OWN_FLAGS)
        lines.append(function(verb, parts, "dict[str, Any]"))
    sweep = ["path: str", "out: str | None = ...", "jobs: int | None = ...",
             "progress: bool | Callable[[Progress], object] | None = ..."]
    flags = signature("sweep", ["sweep"], SWEEP_OWN)[1:]  # its file is `path`
    lines.append(function("sweep", sweep + flags, "pandas.DataFrame"))
    return "\n".join(lines) + "\n"


def main():
    text = stubs()
    if "--check" in sys.argv[1:]:
        with open(STUBS, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{os.path.normpath(STUBS)} differs from the commands' flags; run "
                      "scripts/python_stubs.py", file=sys.stderr)
                return 1
        return 0
    with open(STUBS, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
