#!/usr/bin/env python3
"""Why ASTRA-sim's analytical backend reads 133.95 ms on the data-parallel sample at 1,024
devices where kcsim reads 73.15 ms: the same hierarchical all-reduce, priced with the two ways
of cutting it into chunks.

    python3 bench/astra_chunks.py

The workload and network are those of configs/scenarios/dp-sample.textproto (from
tests/data/chakra-dp16/README.md): 24 layers of 1 ms forward and 2 ms backward, a 64 MiB
all-reduce after every backward, run in order on one stream; 8 devices per first-level switch
at 400 GB/s and 936.25 ns, a second level at 50 GB/s per device and 2,000 ns. The all-reduce
runs as a reduce-scatter inside the server, an all-reduce over the servers (one ring per local
index) and an all-gather inside the server, each a ring: 2(n-1) steps of latency and
2(n-1)/n of the buffer for the all-reduce, n-1 and (n-1)/n for the others.

The buffer is cut into `chunks` pieces. Each piece goes through the three stages in order, a
stage works on one piece at a time, and the stages overlap on different pieces: a collective
takes sum(stage) + (chunks - 1) x max(stage), each stage priced on one piece with its full
latency steps. `hops` is how many link latencies one ring step pays: kcsim's tier latency is
per step (1); ASTRA-sim's switch topology routes NPU -> switch -> NPU, two links (2).

The first row is kcsim's own model (one piece, one latency per step), checked against the
shipped build's analytical engine at 16 and 1,024 devices. KCSIM=/path/to/kcsim uses another
build.
"""
import json
import os
import re
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KCSIM = os.environ.get("KCSIM", os.path.join(ROOT, "build", "bin", "kcsim"))
SCENARIO = os.path.join(ROOT, "configs", "scenarios", "dp-sample.textproto")

MIB = 1 << 20
BUFFER = 64 * MIB
LAYERS, FORWARD_S, BACKWARD_S = 24, 1e-3, 2e-3
PER_SERVER = 8
SERVER = (400e9, 936.25e-9)   # bandwidth B/s per device, latency s per link
BETWEEN = (50e9, 2000e-9)
ASTRA_SIM_MS = {16: 72.43, 1024: 133.95}


def ring(steps_factor, volume, n, piece, tier, hops):
    bandwidth, latency = tier
    if n <= 1:
        return 0.0
    return steps_factor * (n - 1) * hops * latency + volume * (n - 1) / n * piece / bandwidth


def all_reduce_s(devices, chunks, hops):
    servers = devices // PER_SERVER
    piece = BUFFER / chunks
    stages = [
        ring(1, 1, PER_SERVER, piece, SERVER, hops),                 # reduce-scatter in a server
        ring(2, 2, servers, piece / PER_SERVER, BETWEEN, hops),      # all-reduce over servers
        ring(1, 1, PER_SERVER, piece, SERVER, hops),                 # all-gather in a server
    ]
    return sum(stages) + (chunks - 1) * max(stages)


def step_s(all_reduce):
    clock = LAYERS * FORWARD_S
    stream_free = 0.0
    for _ in range(LAYERS):
        clock += BACKWARD_S
        stream_free = max(clock, stream_free) + all_reduce
    return max(clock, stream_free)


def kcsim_step_s(devices):
    text = open(SCENARIO).read()
    text = re.sub(r'^engine: "event"$', 'engine: "analytical"', text, flags=re.M)
    text = re.sub(r"^  nodes: 2$", f"  nodes: {devices // PER_SERVER}", text, flags=re.M)
    with tempfile.NamedTemporaryFile("w", suffix=".textproto", delete=False) as f:
        f.write(text)
    try:
        out = subprocess.run([KCSIM, "run", f.name, "--json"], check=True,
                             capture_output=True, text=True).stdout
    finally:
        os.unlink(f.name)
    return json.loads(out)["runs"][0]["layer_workload"]["step_time_s"]


def main():
    measured = {d: kcsim_step_s(d) for d in ASTRA_SIM_MS}
    print("| pricing | chunks | hops per step | 16 devices | 1,024 devices | all-reduce at 1,024 |")
    print("|---|---|---|---|---|---|")
    print(f"| kcsim, analytical engine | 1 | 1 | "
          f"{measured[16] * 1e3:.2f} ms | {measured[1024] * 1e3:.2f} ms | |")
    for chunks, hops in [(1, 1), (1, 2), (4, 1), (4, 2), (8, 2), (64, 2)]:
        cells = []
        for devices in ASTRA_SIM_MS:
            step = step_s(all_reduce_s(devices, chunks, hops)) * 1e3
            cells.append(f"{step:.2f} ms ({(step / ASTRA_SIM_MS[devices] - 1) * 100:+.1f} %)")
        ar = all_reduce_s(1024, chunks, hops) * 1e3
        print(f"| stages pipelined over chunks | {chunks} | {hops} | {cells[0]} | {cells[1]} | "
              f"{ar:.3f} ms |")
    print(f"| ASTRA-sim 2.0, analytical backend | | | {ASTRA_SIM_MS[16]:.2f} ms | "
          f"{ASTRA_SIM_MS[1024]:.2f} ms | |")
    # The script's model with one piece and one latency per step is kcsim's.
    for devices, step in measured.items():
        model = step_s(all_reduce_s(devices, 1, 1))
        assert abs(model / step - 1) < 1e-6, (devices, model, step)


if __name__ == "__main__":
    main()
