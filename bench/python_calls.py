"""Cost of a call from Python against the same work done by the command, in one invocation:

1. N analytical training calls through kcsim.train, and N runs of the kcsim binary with the same
   flags;
2. a loop of P analytical training calls from Python (global batch 8, 16, ... on 8 H100), and
   `kcsim sweep` of the same P points on one worker (a sweep file written for the run).

    PYTHONPATH=build/python /usr/bin/python3 bench/python_calls.py [--calls N] [--points P]
        [--binary PATH]

Prints wall and CPU time per call for each, and the ratios. CPU time of the commands is their
children's (os.times), so the two are counted alike.
"""
import argparse
import os
import resource
import subprocess
import tempfile
import time

import kcsim

FLAGS = dict(model="llama3-8b", chip="h100-sxm", devices=8, global_batch=64)
WORDS = ["train", "--model", "llama3-8b", "--chip", "h100-sxm", "--devices", "8",
         "--global-batch", "64", "--json"]


def timed(n, call):
    start_wall, start = time.perf_counter(), os.times()
    for _ in range(n):
        call()
    end = os.times()
    cpu = (end.user + end.system + end.children_user + end.children_system
           - start.user - start.system - start.children_user - start.children_system)
    return (time.perf_counter() - start_wall) / n, cpu / n


SWEEP = """name: "python loop reference"
base {{
  cluster_names: "dgx-h100"
  training {{ model: "llama3-8b" devices: 8 global_batch: 8 }}
}}
axes {{ field: "training.global_batch" range {{ start: 8 stop: {stop} step: 8 }} }}
"""


def loop_against_sweep(points, binary):
    """A Python loop over `points` training calls against the command's sweep of them."""
    batches = range(8, 8 * points + 1, 8)
    with tempfile.TemporaryDirectory(prefix="kcsim-bench-") as folder:
        sweep = os.path.join(folder, "sweep.textproto")
        with open(sweep, "w", encoding="utf-8") as f:
            f.write(SWEEP.format(stop=8 * points))
        out = os.path.join(folder, "sweep.h5")
        sweep_wall, sweep_cpu = timed(1, lambda: subprocess.run(
            [binary, "sweep", sweep, "--out", out, "--jobs", "1", "--quiet"], check=True,
            capture_output=True))
        results = []
        loop_wall, loop_cpu = timed(1, lambda: results.extend(
            kcsim.train(model="llama3-8b", cluster="dgx-h100", devices=8, global_batch=b)
            for b in batches))
        table = kcsim.read_sweep(out)
    # The same points: the loop's iteration times are the sweep's.
    swept = table["training.iteration_time_s"].tolist()
    looped = [r["iteration_time_s"] for r in results]
    assert swept == looped, "the loop and the sweep computed different points"
    print(f"{points} analytical training points (llama3-8b on 8 H100, global batch 8 to "
          f"{8 * points})")
    print(f"  python loop  {loop_wall:7.2f} s wall  {loop_cpu:7.2f} s CPU "
          f"({loop_cpu / points * 1e6:.0f} us per call)")
    print(f"  kcsim sweep  {sweep_wall:7.2f} s wall  {sweep_cpu:7.2f} s CPU "
          f"({sweep_cpu / points * 1e6:.0f} us per point, one worker)")
    print(f"  loop / sweep: {loop_wall / sweep_wall:.2f} wall, {loop_cpu / sweep_cpu:.2f} CPU")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--points", type=int, default=10000)
    parser.add_argument("--binary", default="build/bin/kcsim")
    args = parser.parse_args()
    kcsim.train(**FLAGS)  # the first call loads what every later one shares
    py_wall, py_cpu = timed(args.calls, lambda: kcsim.train(**FLAGS))
    cli_wall, cli_cpu = timed(args.calls, lambda: subprocess.run(
        [args.binary, *WORDS], check=True, capture_output=True))
    print(f"{args.calls} calls of kcsim train (analytical, llama3-8b on 8 H100)")
    print(f"  python  {py_wall * 1e3:7.2f} ms wall  {py_cpu * 1e3:7.2f} ms CPU per call")
    print(f"  command {cli_wall * 1e3:7.2f} ms wall  {cli_cpu * 1e3:7.2f} ms CPU per call")
    print(f"  python / command: {py_wall / cli_wall:.2f} wall, {py_cpu / cli_cpu:.2f} CPU")
    if args.points > 0:
        loop_against_sweep(args.points, args.binary)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
