"""Sweeps as pandas tables: run one, read one's HDF5 file, and take a Pareto frontier.

The HDF5 layout is the README's "The HDF5 file": a /points table (one dataset per column, in the
order of the root's ``columns`` attribute) and, for event-engine runs, /series/POINT/RUN/NAME.
Reading it needs Debian's python3-h5py and python3-pandas.
"""

import collections
import os
import tempfile

from . import _kcsim


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def read_sweep(path):
    """The /points table of a sweep's HDF5 file as a DataFrame, one row per point and cluster run,
    columns in file order; the file's attributes (sweep name, axes, points done...) in ``.attrs``.
    """
    import h5py
    import pandas as pd

    with h5py.File(path, "r") as f:
        columns = _text(f.attrs["columns"]).split("\n")[:-1]
        data = {}
        for name in columns:
            values = f["points"][name][()]
            if values.dtype.kind == "O":  # variable-length UTF-8 text
                values = [_text(v) for v in values]
            data[name] = values
        attributes = {k: _text(v) if isinstance(v, bytes) else v
                      for k, v in f.attrs.items() if k != "columns"}
    table = pd.DataFrame(data, columns=columns)
    table.attrs.update(attributes)
    return table


def read_series(path, point, run=0):
    """The time series of one run of one point (the row's ``point`` and ``run``) as a DataFrame,
    columns in the run's order; empty when the run has none (the analytical engine makes none).
    """
    import h5py
    import pandas as pd

    with h5py.File(path, "r") as f:
        group = f.get(f"series/{point}/{run}")
        if group is None:
            return pd.DataFrame()
        columns = _text(group.attrs["columns"]).split("\n")
        columns = [c for c in columns if c]
        return pd.DataFrame({name: group[name][()] for name in columns}, columns=columns)


Progress = collections.namedtuple("Progress", "done total rate_per_s elapsed_s eta_s")
Progress.__doc__ = """How far a sweep has got, as its ``progress`` callable receives it: ``done`` and
``total`` points (an earlier run's resumed points among the done), ``rate_per_s`` (points this run
finished per second), ``elapsed_s`` and ``eta_s`` (seconds; None until a rate is known)."""


def text_progress(report, stream=None):
    """Draws ``report`` (a :class:`Progress`) as one line redrawn in place on ``stream``
    (sys.stderr by default): the default of ``sweep(progress=True)``."""
    import sys

    stream = stream or sys.stderr
    share = report.done / report.total if report.total else 1.0
    width = 30
    bar = "#" * int(share * width) + "." * (width - int(share * width))
    eta = "" if report.eta_s is None else f", ETA {report.eta_s:.0f} s"
    end = "\n" if report.done >= report.total else ""
    stream.write(f"\rsweep [{bar}] {report.done}/{report.total} points, "
                 f"{report.rate_per_s:.1f} points/s{eta}\x1b[K{end}")
    stream.flush()


def sweep(path, out=None, jobs=None, progress=None, **options):
    """Runs a sweep file (``kcsim sweep PATH --out OUT``) and returns its table (read_sweep).

    Without ``out`` the HDF5 file is written to a temporary folder and removed once read. Other
    keyword arguments are the command's flags (``csv="points.csv"``, ``no_resume=True``).

    ``progress``: True draws a bar on stderr; a callable is called with a :class:`Progress` at
    most ten times a second and once at the end; raising from it stops the sweep with that
    exception. Ctrl-C (SIGINT) stops the sweep and raises KeyboardInterrupt; ``out`` then holds
    the points finished so far, whole, with ``complete`` false in its attributes, and a later
    call resumes from them.
    """
    from . import _flag_words, _raise

    listener = None
    if progress is True:
        listener = text_progress
    elif callable(progress):
        listener = progress
    elif progress not in (None, False):
        raise TypeError("progress is True, False, None or a callable taking a Progress")

    def report(done, total, rate_per_s, elapsed_s):
        eta = (total - done) / rate_per_s if rate_per_s > 0 else None
        listener(Progress(done, total, rate_per_s, elapsed_s, eta))

    def run_into(file):
        words = ["sweep", str(path), "--out", str(file), "--quiet"]
        if jobs is not None:
            words += ["--jobs", str(jobs)]
        code, _, errors = _kcsim.call(words + _flag_words(options),
                                      report if listener else None)
        if code != 0:
            _raise(code, errors)
        return read_sweep(file)

    if out is not None:
        return run_into(out)
    with tempfile.TemporaryDirectory(prefix="kcsim-sweep-") as folder:
        return run_into(os.path.join(folder, "sweep.h5"))


def _objective(spec):
    name, _, goal = spec.rpartition(":")
    if goal not in ("max", "min") or not name:
        raise ValueError(f"{spec!r} is not METRIC:max or METRIC:min")
    return name, goal == "max"


def frontier(table, x, y):
    """The Pareto set of ``table`` over two metrics, each "COLUMN:min" or "COLUMN:max": the rows
    (status ok, both values present) that no other row beats on both, best x first."""
    (xname, xmax), (yname, ymax) = _objective(x), _objective(y)
    rows = table
    if "status" in rows.columns:
        rows = rows[rows["status"] == "ok"]
    rows = rows[rows[xname].notna() & rows[yname].notna()]
    rows = rows.sort_values(yname, ascending=not ymax, kind="stable")
    rows = rows.sort_values(xname, ascending=not xmax, kind="stable")
    front, best = [], None
    for index, value in rows[yname].items():
        if best is None or (value > best if ymax else value < best):
            front.append(index)
            best = value
    return rows.loc[front]
