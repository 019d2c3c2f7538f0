"""Cost of a call from Python against the same call as a command: N analytical training calls
through kcsim.train, and N runs of the kcsim binary with the same flags, in one invocation.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_calls.py [--calls N] [--binary PATH]

Prints wall and CPU time per call for both, and their ratio. CPU time of the commands is their
children's (os.times), so the two are counted alike.
"""
import argparse
import os
import resource
import subprocess
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
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
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS of this process: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
