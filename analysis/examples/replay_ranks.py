#!/usr/bin/python3
"""A Chakra trace replayed on a cluster: each rank's compute against its exposed communication.

Run with Debian's Python and the module from the build folder:

    PYTHONPATH=build/python /usr/bin/python3 analysis/examples/replay_ranks.py \
        tests/data/chakra-dp16/w --cluster tests/data/chakra-dp16/cluster.textproto -o ranks.png

It replays PREFIX.RANK.et on the event engine (kcsim replay) and draws, per rank, stacked bars of
compute, communication with nothing to compute, and idle time before the slowest rank ends.
"""
import argparse

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402

import kcsim  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefix")
    parser.add_argument("--cluster", required=True)
    parser.add_argument("-o", "--out", default="ranks.png")
    args = parser.parse_args()

    r = kcsim.replay(args.prefix, cluster=args.cluster)
    ranks = r["per_rank"]
    x = [p["rank"] for p in ranks]
    compute = [p["compute_s"] * 1e3 for p in ranks]
    comm = [p["exposed_comm_s"] * 1e3 for p in ranks]
    idle = [p["idle_s"] * 1e3 for p in ranks]
    print(f"step {r['step_time_s'] * 1e3:.3f} ms on {len(ranks)} ranks ({r['chip']})")
    print(f"{'rank':>4} {'compute ms':>11} {'exposed comm ms':>16} {'idle ms':>8}")
    for row in zip(x, compute, comm, idle):
        print(f"{row[0]:4d} {row[1]:11.3f} {row[2]:16.3f} {row[3]:8.3f}")

    fig, ax = plt.subplots(figsize=(8, 4))
    ax.bar(x, compute, label="compute")
    ax.bar(x, comm, bottom=compute, label="exposed communication")
    ax.bar(x, idle, bottom=[c + m for c, m in zip(compute, comm)], label="idle")
    ax.set_xlabel("rank")
    ax.set_ylabel("ms of the step")
    ax.set_title(f"{args.prefix}: step {r['step_time_s'] * 1e3:.3f} ms")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
