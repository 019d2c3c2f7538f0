#!/usr/bin/python3
"""Four chips serving one model: energy per output token against throughput, batch by batch.

Run with Debian's Python and the module from the build folder:

    PYTHONPATH=build/python /usr/bin/python3 analysis/examples/compare_chips.py -o chips.png

One device of each chip (with its share of its catalog server) serves Llama-3-8B in 16-bit
weights, 1,024 prompt + 128 output tokens, at batch sizes 1 to 64 (analytical engine); the plot
puts joules per output token against output tokens per second, one line per chip, and the table
printed is the same numbers.
"""
import argparse

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402

import kcsim  # noqa: E402

# Each chip in a 16-bit dtype it has (ATOM has no bf16).
CHIPS = {"a100-80g": "bf16", "h100-sxm": "bf16", "rngd": "bf16", "atom": "fp16"}
BATCHES = [1, 2, 4, 8, 16, 32, 64]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="llama3-8b")
    parser.add_argument("-o", "--out", default="chips.png")
    args = parser.parse_args()

    fig, ax = plt.subplots(figsize=(8, 5))
    print(f"{'chip':10} {'batch':>5} {'tok/s':>10} {'J/token':>9}")
    for chip, dtype in CHIPS.items():
        points = []
        for batch in BATCHES:
            try:
                r = kcsim.serve(model=args.model, chip=chip, dtype=dtype, batch_size=batch,
                                prompt_tokens=1024, output_tokens=128)
            except kcsim.Infeasible:
                continue  # the KV cache holds no such batch
            points.append((r["throughput_output_tokens_per_s"], r["energy_per_output_token_j"]))
            print(f"{chip:10} {batch:5d} {points[-1][0]:10.0f} {points[-1][1]:9.3f}")
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], "-o", label=chip)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("output tokens per second (one device)")
    ax.set_ylabel("J per output token (IT energy)")
    ax.set_title(f"{args.model}: batch sizes {BATCHES[0]} to {BATCHES[-1]}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
