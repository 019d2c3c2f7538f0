#!/usr/bin/env python3
"""Residuals of every serving case in configs/validation/, grouped by the stack (runtime
profile) each case runs, as a markdown table.

usage: bench/serving_residuals.py [--kcsim build/bin/kcsim] [--configs configs]
"""
import argparse
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def stack_of(path):
    text = path.read_text()
    if "serving {" not in text:
        return None
    m = re.search(r'runtime\s*\{[^}]*?profile:\s*"([^"]+)"', text, re.S)
    return m.group(1) if m else "(default)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kcsim", default=str(ROOT / "build/bin/kcsim"))
    ap.add_argument("--configs", default=str(ROOT / "configs"))
    args = ap.parse_args()
    configs = pathlib.Path(args.configs)
    out = subprocess.run([args.kcsim, "validate", "--json", "--configs", str(configs)],
                         capture_output=True, text=True)
    cases = {c["name"]: c for c in json.loads(out.stdout)["cases"]}
    rows = []
    for path in sorted((configs / "validation").glob("*.textproto")):
        stack = stack_of(path)
        c = cases.get(path.stem)
        if stack is None or c is None:
            continue
        if c.get("ratio"):
            err = f'{100 * c["absolute_error"]:+.1f} pp'
        else:
            err = f'{100 * c["relative_error"]:+.1f} %'
        rows.append((stack, path.stem, c["metric"], c["published"], c["simulated"], err,
                     "yes" if c["within_tolerance"] else "no"))
    print("| stack | case | metric | published | kcsim | error | within |")
    print("|---|---|---|---|---|---|---|")
    for r in sorted(rows):
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.4g} | {r[4]:.4g} | {r[5]} | {r[6]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
