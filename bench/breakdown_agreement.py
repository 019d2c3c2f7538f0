#!/usr/bin/env python3
"""The two training engines' time breakdowns side by side, term by term.

    python3 bench/breakdown_agreement.py [ROW...]

Rows: gpt3-1024 (GPT-3 175B, TP 8 x PP 8 x DP 16, batch 1,536, selective + sequence parallel,
on the catalog DGX A100 cluster's fat-tree), gpt3-256 (the same model, DP 4, batch 256: hashed
rings collide on the uplinks), mt530-280 (Megatron-530B, TP 8 x PP 35, batch 1,920, full
recompute), oversubscribed (configs/scenarios/oversubscribed-fat-tree.textproto, both
clusters). Default: all. KCSIM=/path/to/kcsim measures another build. Prints one Markdown table
per row: each term in seconds on both engines and their difference as a share of the iteration.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KCSIM = os.environ.get("KCSIM", os.path.join(ROOT, "build", "bin", "kcsim"))
TERMS = ["compute_s", "recompute_s", "tp_comm_s", "tp_comm_overlapped_s", "ep_comm_s",
         "pp_comm_s", "stage_imbalance_s", "bubble_s", "dp_comm_exposed_s", "dp_comm_contention_s",
         "optimizer_s"]

TRAIN = {
    "gpt3-1024": ["--model", "gpt3-175b", "--chip", "a100-80g", "--devices", "1024", "--tp", "8",
                  "--pp", "8", "--global-batch", "1536", "--sequence-parallel"],
    "gpt3-256": ["--model", "gpt3-175b", "--chip", "a100-80g", "--devices", "256", "--tp", "8",
                 "--pp", "8", "--global-batch", "256"],
    "mt530-280": ["--model", "megatron-530b", "--chip", "a100-80g", "--devices", "280", "--tp",
                  "8", "--pp", "35", "--global-batch", "1920", "--recompute", "full"],
}


def kcsim(*args):
    out = subprocess.run([KCSIM, *args, "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def scenario_runs(engine):
    path = os.path.join(ROOT, "configs", "scenarios", "oversubscribed-fat-tree.textproto")
    with open(path) as f:
        text = re.sub(r'engine: "\w+"', f'engine: "{engine}"', f.read())
    with tempfile.NamedTemporaryFile("w", suffix=".textproto", delete=False) as f:
        f.write(text)
    try:
        return [(run["cluster"], run["training"]) for run in kcsim("run", f.name)["runs"]]
    finally:
        os.unlink(f.name)


def table(name, analytical, event):
    a_t, e_t = analytical["iteration_time_s"], event["iteration_time_s"]
    print(f"\n{name}: iteration {a_t:.3f} s analytical, {e_t:.3f} s event "
          f"({100 * (e_t - a_t) / a_t:+.1f} %)\n")
    print("| term | analytical s | event s | difference, % of the iteration |")
    print("|---|---|---|---|")
    a, e = analytical["time_breakdown_s"], event["time_breakdown_s"]
    for term in TERMS:
        print(f"| {term} | {a[term]:.3f} | {e[term]:.3f} | {100 * (e[term] - a[term]) / a_t:+.1f} |")
    print(f"| dp_comm_total_s | {a['dp_comm_total_s']:.3f} | {e['dp_comm_total_s']:.3f} | |")


def main(rows):
    rows = rows or [*TRAIN, "oversubscribed"]
    for row in rows:
        if row in TRAIN:
            table(row, kcsim("train", *TRAIN[row], "--engine", "analytical"),
                  kcsim("train", *TRAIN[row], "--engine", "event"))
        elif row == "oversubscribed":
            for (cluster, a), (_, e) in zip(scenario_runs("analytical"), scenario_runs("event")):
                table(f"oversubscribed scenario, {cluster}", a, e)
        else:
            sys.exit(f"unknown row {row}; rows: {', '.join([*TRAIN, 'oversubscribed'])}")


if __name__ == "__main__":
    main(sys.argv[1:])
