#!/usr/bin/python3
"""Load a kcsim sweep (HDF5) into pandas and plot the Pareto frontier of two metrics.

Run with Debian's Python, which sees python3-h5py, python3-pandas and python3-matplotlib, and the
kcsim module from the build folder:

    PYTHONPATH=build/python /usr/bin/python3 analysis/examples/plot_frontier.py results.h5 \
        --x serving.ttft_s:min --y serving.output_tokens_per_s_per_kw:max -o frontier.png

It prints the frontier's point indices (best x first), then writes the plot.
"""
import argparse

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402

import kcsim  # noqa: E402


def objective(text):
    name, _, goal = text.rpartition(":")
    if goal not in ("max", "min") or not name:
        raise argparse.ArgumentTypeError(f"{text!r} is not METRIC:max or METRIC:min")
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--x", type=objective, default="serving.ttft_s:min")
    parser.add_argument("--y", type=objective, default="serving.output_tokens_per_s_per_kw:max")
    parser.add_argument("-o", "--out", default="frontier.png")
    args = parser.parse_args()

    df = kcsim.read_sweep(args.results)
    front = kcsim.frontier(df, args.x, args.y)
    x, y = args.x.rpartition(":")[0], args.y.rpartition(":")[0]
    print("frontier points:", " ".join(str(int(p)) for p in front["point"]))

    ok = df[df["status"] == "ok"]
    fig, ax = plt.subplots(figsize=(8, 5))
    for chip, group in ok.groupby("chip"):
        ax.scatter(group[x], group[y], s=10, label=chip)
    ax.plot(front[x], front[y], "k-o", fillstyle="none", label="Pareto frontier")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(df.attrs.get("sweep_name", ""))
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
