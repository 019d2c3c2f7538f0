#!/usr/bin/env python3
"""Holds the folder rules of DESIGN.md ("Folders" and the layers inside sim/) on the include graph.

    python3 scripts/check_layers.py [ROOT]

Fails (exit 1), naming the file and the include, on:
- an include that points the wrong way: a folder may include only its own layer and the layers
  listed as below it in LAYERS;
- a cycle between files (a .hpp and its .cpp count as one unit) or between folders;
- SimGrid included outside sim/engines/event/.
tests/ and bench/ may use everything and are not checked. Runs as the ctest test `include_layers`.
"""
import os
import re
import sys
from collections import defaultdict

# Each layer: its folder, and the layers it may include. Sub-folders belong to their folder's
# layer (configs/loader is configs, analysis/hdf5 is analysis, sim/sweep/mpi is sim/sweep).
TOP = ["configs", "hw-models", "topology", "workloads", "analysis"]
LAYERS = {
    "configs": [],
    "hw-models": ["configs"],
    "topology": ["configs"],
    "workloads": ["configs", "hw-models"],
    "analysis": ["configs"],
    "sim/cluster": TOP,
    "sim/cost": TOP + ["sim/cluster"],
    "sim/power": TOP + ["sim/cluster", "sim/cost"],
    "sim/engines": TOP + ["sim/cluster", "sim/cost", "sim/power"],
    "sim/engines/analytical": TOP + ["sim/cluster", "sim/cost", "sim/power", "sim/engines"],
    "sim/engines/event": TOP + ["sim/cluster", "sim/cost", "sim/power", "sim/engines"],
    "sim/jobs": TOP + ["sim/cluster", "sim/cost", "sim/power", "sim/engines",
                       "sim/engines/analytical", "sim/engines/event"],
    "sim/sweep": TOP + ["sim/cluster", "sim/cost", "sim/power", "sim/engines", "sim/jobs"],
    "sim/cli": TOP + ["sim/cluster", "sim/cost", "sim/power", "sim/engines",
                      "sim/engines/analytical", "sim/engines/event", "sim/jobs", "sim/sweep"],
    # The Python module: the command line, nothing below it.
    "python": ["sim/cli"],
}
SKIP = {"tests", "bench", ".git", "third_party"}
SIMGRID_LAYER = "sim/engines/event"
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
SIMGRID = re.compile(r'^\s*#\s*include\s*[<"]simgrid/', re.M)


def layer_of(path):
    """The layer a file or folder belongs to: the longest LAYERS key that prefixes it."""
    best = None
    for name in LAYERS:
        if path == name or path.startswith(name + "/"):
            if best is None or len(name) > len(best):
                best = name
    return best


def sources(root):
    files = {}
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders
                               if d not in SKIP and not d.startswith("build"))
        for name in sorted(names):
            if name.endswith((".cpp", ".hpp", ".h", ".cc")):
                full = os.path.join(folder, name)
                with open(full, errors="replace") as f:
                    files[os.path.relpath(full, root)] = f.read()
    return files


def strongly_connected(graph):
    """Tarjan's components with more than one member, iteratively (deep graphs are fine)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            advanced = False
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def check(root):
    files = sources(root)
    problems = []
    units = defaultdict(set)
    folders = defaultdict(set)
    for path, text in sorted(files.items()):
        folder = os.path.dirname(path)
        layer = layer_of(folder)
        if layer is None:
            problems.append(f"{path}: folder {folder or '.'} belongs to no layer of "
                            "scripts/check_layers.py (add it, with what it may include)")
            continue
        for line_no, line in enumerate(text.splitlines(), 1):
            m = INCLUDE.match(line)
            if m:
                target = m.group(1)
                if target not in files:
                    continue  # generated (*.pb.h) or a system header in quotes
                to_folder = os.path.dirname(target)
                to_layer = layer_of(to_folder)
                if to_layer != layer and to_layer not in LAYERS[layer]:
                    problems.append(f"{path}:{line_no}: includes {target}: {layer} may not use "
                                    f"{to_layer} (DESIGN.md, Folders)")
                src_unit, dst_unit = os.path.splitext(path)[0], os.path.splitext(target)[0]
                if src_unit != dst_unit:
                    units[src_unit].add(dst_unit)
                if folder != to_folder:
                    folders[folder].add(to_folder)
            if SIMGRID.match(line) and layer != SIMGRID_LAYER:
                problems.append(f"{path}:{line_no}: includes SimGrid outside {SIMGRID_LAYER}")
    for cycle in strongly_connected(units):
        problems.append("include cycle between files: " + " <-> ".join(cycle))
    for cycle in strongly_connected(folders):
        problems.append("include cycle between folders: " + " <-> ".join(cycle))
    return len(files), problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    count, problems = check(root)
    for problem in problems:
        print(problem)
    print(f"check_layers: {count} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
