#!/usr/bin/python3
"""Load a kcsim sweep (HDF5) into pandas and plot the Pareto frontier of two metrics.

Run with Debian's Python, which sees python3-h5py, python3-pandas and python3-matplotlib:

    /usr/bin/python3 analysis/examples/plot_frontier.py results.h5 \
        --x serving.ttft_s:min --y serving.output_tokens_per_s_per_kw:max -o frontier.png

It prints the frontier's point indices (best x first), then writes the plot.
"""
import argparse

import h5py
import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402


def load_sweep(path):
    """The /points table as a DataFrame (columns in file order) and the file's attributes."""
    with h5py.File(path, "r") as f:
        columns = f.attrs["columns"].split("\n")[:-1]
        data = {}
        for name in columns:
            values = f["points"][name][()]
            if values.dtype.kind == "O":  # variable-length UTF-8 strings
                values = [v.decode() if isinstance(v, bytes) else v for v in values]
            data[name] = values
        attributes = {k: v for k, v in f.attrs.items() if k != "columns"}
    return pd.DataFrame(data, columns=columns), attributes


def objective(text):
    name, _, goal = text.rpartition(":")
    if goal not in ("max", "min") or not name:
        raise argparse.ArgumentTypeError(f"{text!r} is not METRIC:max or METRIC:min")
    return name, goal == "max"


def pareto_front(df, x, y):
    """Rows no other row beats on both metrics, best x first (ties: best y first)."""
    (xname, xmax), (yname, ymax) = x, y
    rows = df[(df["status"] == "ok") & df[xname].notna() & df[yname].notna()]
    rows = rows.sort_values(yname, ascending=not ymax, kind="stable")
    rows = rows.sort_values(xname, ascending=not xmax, kind="stable")
    front, best = [], None
    for index, row in rows.iterrows():
        value = row[yname]
        if best is None or (value > best if ymax else value < best):
            front.append(index)
            best = value
    return rows.loc[front]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--x", type=objective, default=("serving.ttft_s", False))
    parser.add_argument("--y", type=objective, default=("serving.output_tokens_per_s_per_kw", True))
    parser.add_argument("-o", "--out", default="frontier.png")
    args = parser.parse_args()

    df, attributes = load_sweep(args.results)
    front = pareto_front(df, args.x, args.y)
    print("frontier points:", " ".join(str(int(p)) for p in front["point"]))

    ok = df[df["status"] == "ok"]
    fig, ax = plt.subplots(figsize=(8, 5))
    for chip, group in ok.groupby("chip"):
        ax.scatter(group[args.x[0]], group[args.y[0]], s=10, label=chip)
    ax.plot(front[args.x[0]], front[args.y[0]], "k-o", fillstyle="none", label="Pareto frontier")
    ax.set_xlabel(args.x[0])
    ax.set_ylabel(args.y[0])
    ax.set_title(attributes.get("sweep_name", ""))
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
