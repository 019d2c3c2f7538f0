"""Sweeps as DataFrames, the frontier, and the examples that use them: a sweep's table has one
row per point and the numbers of its HDF5 file (read here against the command's own CSV), the
frontier holds no dominated row, and each example writes its plot."""

import os
import subprocess
import sys

import pandas as pd

import kcsim

SOURCE = os.environ["KCSIM_SOURCE_DIR"]
BINARY = os.environ["KCSIM_BINARY"]
SWEEP = os.path.join(SOURCE, "tests/data/sweeps/small-serving.textproto")


def test_a_sweep_table_has_one_row_per_point_and_the_files_numbers(tmp_path):
    table = kcsim.sweep(SWEEP, out=tmp_path / "s.h5", jobs=2, csv=tmp_path / "s.csv")
    assert len(table) == 32
    assert list(table["point"]) == list(range(32))
    assert table.attrs["sweep_name"] == "small serving sweep"
    assert (table["status"] == "ok").all()
    flat = pd.read_csv(tmp_path / "s.csv", float_precision="round_trip", keep_default_na=False)
    assert list(flat.columns) == list(table.columns)
    for name in table.columns:
        if table[name].dtype.kind == "f":
            assert table[name].tolist() == pd.to_numeric(flat[name]).astype(float).tolist(), name
    # The same file read again, and the analytical engine's runs have no series.
    assert kcsim.read_sweep(tmp_path / "s.h5").equals(table)
    assert kcsim.read_series(tmp_path / "s.h5", 0).empty


def test_a_sweep_without_out_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    table = kcsim.sweep(SWEEP, jobs=1)
    assert len(table) == 32
    assert os.listdir(tmp_path) == []


def test_the_frontier_holds_no_dominated_row():
    table = kcsim.sweep(SWEEP, jobs=2)
    x, y = "serving.ttft_s", "serving.output_tokens_per_s_per_kw"
    front = kcsim.frontier(table, x + ":min", y + ":max")
    assert len(front) >= 2
    assert front[x].is_monotonic_increasing
    assert front[y].is_monotonic_increasing
    for _, row in front.iterrows():
        better = table[(table[x] <= row[x]) & (table[y] >= row[y]) &
                       ((table[x] < row[x]) | (table[y] > row[y]))]
        assert better.empty


def test_a_bad_sweep_raises_input_error(tmp_path):
    bad = tmp_path / "bad.textproto"
    bad.write_text('name: "bad"\nbase { serving { model: "llama3-8b" } }\n'
                   'axes { field: "serving.no_such_field" values: "1" }\n')
    try:
        kcsim.sweep(bad)
    except kcsim.InputError as e:
        assert e.line == 3
    else:
        raise AssertionError("no InputError")


def run_example(name, *arguments, cwd):
    env = dict(os.environ)
    return subprocess.run([sys.executable, os.path.join(SOURCE, "analysis/examples", name),
                           *arguments], cwd=cwd, env=env, capture_output=True, text=True,
                          check=True).stdout


def test_the_examples_write_their_plots(tmp_path):
    out = run_example("compare_chips.py", "-o", str(tmp_path / "chips.png"), cwd=SOURCE)
    assert "rngd" in out and (tmp_path / "chips.png").stat().st_size > 10000
    out = run_example("replay_ranks.py", "tests/data/chakra-dp16/w", "--cluster",
                      "tests/data/chakra-dp16/cluster.textproto", "-o", str(tmp_path / "r.png"),
                      cwd=SOURCE)
    assert "16 ranks" in out and (tmp_path / "r.png").stat().st_size > 10000
    kcsim.sweep(SWEEP, out=tmp_path / "s.h5")
    out = run_example("plot_frontier.py", str(tmp_path / "s.h5"), "-o",
                      str(tmp_path / "f.png"), cwd=SOURCE)
    assert out.startswith("frontier points: 12 8 4 0")
    assert (tmp_path / "f.png").stat().st_size > 10000
