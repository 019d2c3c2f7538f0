"""kcsim from Python: the command line's verbs as functions returning what ``--json`` prints.

Each verb runs the same code as the ``kcsim`` command, in this process: the same flags, the same
defaults, the same checks. Keyword arguments are the command's flags with their dashes written as
underscores (``kcsim train --help`` lists them): ``global_batch=64`` is ``--global-batch 64``,
``auto_plan=True`` is ``--auto-plan``, and a list repeats its flag. The result is a dict whose
keys carry their units, equal to the command's ``--json`` output.

    >>> import kcsim
    >>> r = kcsim.train(model="llama3-8b", chip="h100-sxm", devices=8, global_batch=64)
    >>> r["tokens_per_s"]

Bad input raises :class:`InputError` (with the file, line and field where there is one); a job
that cannot run raises :class:`Infeasible` (saying what would fit). A sweep's points come back as
a pandas DataFrame (:func:`sweep`, :func:`read_sweep`), with :func:`frontier` for its Pareto set.
"""

import os
import re
import tempfile

from . import _kcsim

__all__ = [
    "Error", "InputError", "Infeasible", "InternalError", "command",
    "train", "serve", "run", "replay", "plan", "topo", "validate",
    "chips", "models", "runtimes", "policies",
    "sweep", "read_sweep", "read_series", "frontier", "Progress", "text_progress",
]


class Error(Exception):
    """A kcsim command that did not succeed; ``exit_code`` is what the command would exit with."""

    def __init__(self, message, exit_code):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class InputError(Error):
    """Bad input (exit code 2): ``file``, ``line``, ``column`` and ``field`` where it was written
    (``file`` is None for a keyword argument, ``line`` 0 when unknown)."""

    def __init__(self, message, file=None, line=0, column=0, field=None):
        super().__init__(message, 2)
        self.file, self.line, self.column, self.field = file, line, column, field


class Infeasible(Error):
    """A well-formed job that cannot run (exit code 3); the message says why and what would fit."""

    def __init__(self, message):
        super().__init__(message, 3)


class InternalError(Error):
    """A failure inside kcsim (exit code 1)."""

    def __init__(self, message):
        super().__init__(message, 1)


# "kcsim: ORIGIN: FIELD: WHAT", ORIGIN being "FILE:LINE:COLUMN", "FILE" or "command line".
_INPUT_ERROR = re.compile(r"^kcsim: (?P<origin>.*?): (?P<field>[^:\n]+): (?P<what>.*)$", re.S)
_POSITION = re.compile(r"^(?P<file>.*):(?P<line>\d+):(?P<column>\d+)$")


def _input_error(text):
    match = _INPUT_ERROR.match(text)
    if not match:
        return InputError(text)
    origin = match.group("origin")
    position = _POSITION.match(origin)
    if position:
        return InputError(text, position.group("file"), int(position.group("line")),
                          int(position.group("column")), match.group("field"))
    file = None if origin == "command line" else origin
    return InputError(text, file, 0, 0, match.group("field"))


def _raise(code, errors):
    text = errors.strip()
    if code == 2:
        raise _input_error(text)
    if code == 3:
        raise Infeasible(text[len("kcsim: infeasible: "):] if text.startswith("kcsim: infeasible: ")
                         else text)
    raise InternalError(text)


def _flag_words(options):
    words = []
    for name, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        if value is True:
            words.append(flag)
        elif isinstance(value, (list, tuple)):
            for item in value:
                words += [flag, str(item)]
        else:
            words += [flag, str(value)]
    return words


def command(*words):
    """Runs ``kcsim WORDS...`` and returns (exit code, output, errors) as the command gives them."""
    return _kcsim.call([str(w) for w in words])


def _json(verb, *positional, ok_codes=(0,), **options):
    words = [verb, *[str(p) for p in positional], *_flag_words(options), "--json"]
    code, result, errors = _kcsim.call_json(words)
    if code not in ok_codes or result is None:
        _raise(code, errors)
    return result


def train(**options):
    """One training iteration: time, FLOP/s, memory, energy (``kcsim train``)."""
    return _json("train", **options)


def serve(**options):
    """Serving: one static batch per replica, or a request stream with ``rate``/``trace``
    (``kcsim serve``)."""
    return _json("serve", **options)


def run(scenario, **options):
    """A scenario (``kcsim run``): a file's path, or the scenario itself as protobuf text."""
    if os.path.exists(str(scenario)):
        return _json("run", scenario, **options)
    with tempfile.TemporaryDirectory(prefix="kcsim-") as folder:
        path = os.path.join(folder, "scenario.textproto")
        with open(path, "w", encoding="utf-8") as f:
            f.write(scenario)
        return _json("run", path, **options)


def replay(prefix, **options):
    """A Chakra trace (PREFIX.RANK.et) replayed on a cluster (``kcsim replay``)."""
    return _json("replay", prefix, **options)


def plan(**options):
    """What fits a facility power budget, or a mix of a mixed cluster's pools with ``mix=FILE``
    (``kcsim plan``)."""
    return _json("plan", **options)


def topo(cluster, **options):
    """A cluster as a graph: devices, switches, links, diameter, bisection (``kcsim topo``)."""
    return _json("topo", cluster, **options)


def validate(**options):
    """Every validation case against its published measurement (``kcsim validate``); a case
    outside its tolerance is in the result, not an exception."""
    return _json("validate", ok_codes=(0, 1), **options)


def chips(**options):
    """The chip catalog (``kcsim chips``)."""
    return _json("chips", **options)


def models(**options):
    """The model catalog (``kcsim models``)."""
    return _json("models", **options)


def runtimes(**options):
    """The software stacks a job may name (``kcsim runtimes``)."""
    return _json("runtimes", **options)


def policies(**options):
    """The serving schedulers, routers and collective algorithms (``kcsim policies``)."""
    return _json("policies", **options)


def _append_help(function, verb):
    """Ends `function`'s docstring with ``kcsim VERB --help``, so that help() shows the flags."""
    code, text, _ = _kcsim.call([verb, "--help"])
    if code == 0:
        flags = "\n".join("    " + line if line else "" for line in text.splitlines())
        function.__doc__ = (f"{function.__doc__}\n\n``kcsim {verb} --help`` (keyword arguments are "
                            f"these flags, dashes as underscores):\n\n{flags}\n")


for _verb in ("train", "serve", "run", "replay", "plan", "topo", "validate", "chips", "models",
              "runtimes", "policies"):
    _append_help(globals()[_verb], _verb)

from .tables import Progress, frontier, read_series, read_sweep, sweep, text_progress  # noqa: E402, I001

_append_help(sweep, "sweep")
