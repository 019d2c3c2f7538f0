#!/usr/bin/env python3
"""Start-up of kcsim's analytical path: wall time, CPU time and shared objects loaded by short
calls (`kcsim chips`, an analytical `kcsim train`, and the same train on the event engine), next
to /bin/true, the cost of starting any process, and optionally a reference kcsim (another build,
such as one from before a change), all in the same invocation.

  python3 bench/startup.py [--kcsim build/bin/kcsim] [--reference OTHER_KCSIM] [--runs 10]

Runs alternate between the binaries, so that load from elsewhere on the machine falls on all of
them alike; figures are minimums over the runs. CPU time is user + system of the process and its
children. Shared objects are those the dynamic loader maps (LD_DEBUG=files), the binary's own
dependencies and any module it loads, without the loader itself and the vDSO.
"""
import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAIN = "train --model llama3-8b --chip h100-sxm --devices 16 --tp 2 --pp 2 --global-batch 32"
COMMANDS = [
    ("chips", "chips"),
    ("train, analytical", TRAIN),
    ("train, event engine", TRAIN + " --engine event"),
]


def spawn(argv, env, stderr_path=os.devnull):
    """Runs argv with no input or output; returns (wall s, CPU s, exit status)."""
    actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
               (os.POSIX_SPAWN_OPEN, 2, stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def shared_objects(argv, env, scratch):
    log = os.path.join(scratch, "ld_debug.txt")
    spawn(argv, dict(env, LD_DEBUG="files"), log)
    with open(log, errors="replace") as f:
        return sum("generating link map" in line for line in f)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kcsim", default=os.path.join(ROOT, "build", "bin", "kcsim"))
    parser.add_argument("--reference", help="another kcsim binary to measure alongside")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    binaries = [("kcsim", os.path.abspath(args.kcsim))]
    if args.reference:
        binaries.append(("reference", os.path.abspath(args.reference)))
    env = dict(os.environ, KCSIM_CONFIG_DIR=os.path.join(ROOT, "configs"))

    cases = [("/bin/true", "-", ["/bin/true"])]
    for label, command in COMMANDS:
        for name, path in binaries:
            cases.append((label, name, [path] + command.split()))
    best = {}
    for _ in range(args.runs):
        for label, name, argv in cases:
            wall, cpu, code = spawn(argv, env)
            if code != 0:
                sys.exit(f"startup.py: {' '.join(argv)} exited {code}")
            w, c = best.get((label, name), (wall, cpu))
            best[(label, name)] = (min(w, wall), min(c, cpu))

    print(f"minimum of {args.runs} runs; kcsim = {binaries[0][1]}")
    if args.reference:
        print(f"reference = {binaries[1][1]}")
    header = f"{'command':<21} {'binary':<10} {'wall ms':>8} {'cpu ms':>8} {'objects':>8}"
    if args.reference:
        header += f" {'ref/kcsim wall':>15} {'ref/kcsim cpu':>14}"
    print(header)
    scratch = tempfile.TemporaryDirectory()
    for label, name, argv in cases:
        wall, cpu = best[(label, name)]
        line = (f"{label:<21} {name:<10} {wall * 1e3:8.1f} {cpu * 1e3:8.1f} "
                f"{shared_objects(argv, env, scratch.name):8d}")
        if args.reference and name == "reference":
            w, c = best[(label, "kcsim")]
            line += f" {wall / w:15.2f} {cpu / c if c > 0 else float('nan'):14.2f}"
        print(line)


if __name__ == "__main__":
    main()
