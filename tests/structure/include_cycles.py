#!/usr/bin/python3
"""include_cycles.py: checks the include structure of the C sources.

    /usr/bin/python3 tests/structure/include_cycles.py [--verbose] [ROOT ...]

ROOT is a folder of the repository named in LAYERS below (default: every one of them).
For each, it reads every `#include "..."` of its .c, .h and .inc files and reports

  1. cycles between files: a file and its header (foo.c, foo.h, foo*.inc) count as one
     unit, so tensor.c including pool.h while pool.c includes tensor.h is a cycle;
  2. cycles between folders (layers);
  3. includes of a layer not allowed by the table: a layer may include only itself, the
     layers listed for it, and what those may include (the table lists the layers right
     below; the rest follows);
  4. files in a folder the table does not know (a new folder must be placed in it).

Exit 1 if any of these is found, else 0. Includes are found by their basename: header
names are unique across the roots checked together and the outside roots they may use
(ROOT_USES), and a header found nowhere there (cairo.h, zlib.h...) is ignored.

To add a layer: add a folder to LAYERS[root] with the layers it may include. To add a
root (another tree of C code): add it to LAYERS, and to ROOT_USES what it builds on.
"""
import os
import re
import sys

# root -> {layer (a subfolder) -> the layers it may include directly}. The layers a layer
# may include are these and, recursively, theirs.
LAYERS = {
    "core": {
        "base": [],                 # errors, rng, parameter views, memory account, settings
        "compute": ["base"],        # thread pool, vector kernels, ISA level, sgemm
        "tensor": ["compute"],      # tensors, the autograd graph
        "ops": ["tensor"],          # every op's forward and backward, conv, norm
        "nn": ["ops"],              # layers, U-Net, optimizers, EMA, checkpoints
        "data": ["base"],           # IDX, MNIST, toy data sets
        "info": ["base"],           # Huffman, entropy, metrics, sample scores
        "plot": ["base"],           # figures to PNG
    },
    "kernel/lang": {
        "syntax": [],               # lexer, parser, AST, diagnostics, text buffers: no values
        "runtime": ["syntax"],      # values, environments, evaluator, registry, arguments
        "lib": ["runtime"],         # the builtin libraries, each registering itself
        "session": ["lib"],         # the entry points of latent.h: sessions, completion
    },
}

# root -> the other roots whose headers it may include (every layer of them).
ROOT_USES = {
    "core": [],
    "kernel/lang": ["core"],
}

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
EXTS = (".c", ".h", ".inc")


def repo_top():
    return os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def sources(top, root):
    """(path relative to top, layer or None) of every C file under root."""
    base = os.path.join(top, root)
    for d, _, files in sorted(os.walk(base)):
        for f in sorted(files):
            if f.endswith(EXTS):
                rel = os.path.relpath(os.path.join(d, f), top)
                sub = os.path.relpath(d, base)
                yield rel, (None if sub == "." else sub.split(os.sep)[0])


def unit_of(top, path):
    """foo.c, foo.h and foo.inc (or foo_loops.inc beside foo.c) form the unit 'dir/foo'."""
    d, f = os.path.split(path)
    stem = f.rsplit(".", 1)[0]
    if f.endswith(".inc"):
        for cand in os.listdir(os.path.join(top, d)):
            s = cand.rsplit(".", 1)[0]
            if cand.endswith(".c") and stem.startswith(s):
                return os.path.join(d, s)
    return os.path.join(d, stem)


def find_cycles(graph):
    """Every elementary cycle's strongly connected component with more than one node,
    as a sorted list of nodes, and one cycle through it as a path."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            strong(v)
    return [(comp, one_cycle(graph, comp)) for comp in out]


def one_cycle(graph, comp):
    """A shortest cycle through comp's first node, inside comp (breadth first)."""
    start, inside = comp[0], set(comp)
    prev, queue = {start: None}, [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, ())):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w in inside and w not in prev:
                prev[w] = v
                queue.append(w)
    return comp


def allowed(table, layer):
    seen, todo = {layer}, [layer]
    while todo:
        for below in table.get(todo.pop(), []):
            if below not in seen:
                seen.add(below)
                todo.append(below)
    return seen


def check(top, root, verbose):
    table = LAYERS[root]
    problems = []
    files = list(sources(top, root))
    where = {}   # header basename -> (path, root, layer)
    for r in [root] + ROOT_USES.get(root, []):
        for path, layer in sources(top, r):
            name = os.path.basename(path)
            if name in where and where[name][0] != path and r == root:
                problems.append("header name %s is used twice: %s and %s"
                                % (name, where[name][0], path))
            where.setdefault(name, (path, r, layer))
    units, layers = {}, {}
    nincl = 0
    for path, layer in files:
        if layer is None or layer not in table:
            problems.append("%s: folder %s is not in the layer table of %s"
                            % (path, layer or "(top)", root))
            continue
        text = open(os.path.join(top, path), encoding="utf-8", errors="replace").read()
        for inc in INCLUDE.findall(text):
            local = os.path.normpath(os.path.join(os.path.dirname(path), inc))
            if os.path.exists(os.path.join(top, local)):
                target = (local, root, layer if os.path.dirname(local) == os.path.dirname(path)
                          else where.get(os.path.basename(inc), (None, None, None))[2])
            else:
                target = where.get(os.path.basename(inc))
            if not target:
                continue   # a system or outside header
            tpath, troot, tlayer = target
            nincl += 1
            if troot != root:
                continue   # ROOT_USES allows every layer of it
            u, tu = unit_of(top, path), unit_of(top, tpath)
            if u != tu:
                units.setdefault(u, set()).add(tu)
            if tlayer != layer:
                layers.setdefault(layer, set()).add(tlayer)
                if tlayer not in allowed(table, layer):
                    problems.append("%s includes %s: layer %s may not include %s (allowed: %s)"
                                    % (path, inc, layer, tlayer,
                                       ", ".join(sorted(allowed(table, layer) - {layer})) or "none"))
    for comp, cyc in find_cycles(units):
        problems.append("include cycle between files: " + " -> ".join(cyc)
                        + ("" if len(comp) == len(cyc) - 1 else
                           " (all of: " + ", ".join(comp) + ")"))
    for comp, cyc in find_cycles(layers):
        problems.append("include cycle between layers of %s: %s" % (root, " -> ".join(cyc)))
    if verbose:
        print("%s: %d files, %d includes inside the checked roots" % (root, len(files), nincl))
        for layer in sorted(layers):
            print("  %s -> %s" % (layer, ", ".join(sorted(layers[layer]))))
    return problems


def self_test():
    """The check on a made-up tree with one of each fault: each must be reported."""
    import tempfile
    files = {
        "core/base/a.h": '#include "b.h"\n',          # base may not include compute
        "core/compute/b.h": "",
        "core/compute/b.c": '#include "b.h"\n#include "c.h"\n',
        "core/compute/c.c": '#include "c.h"\n#include "b.h"\n',   # b <-> c
        "core/compute/c.h": "",
        "core/compute/e.c": '#include "a.h"\n',          # so base <-> compute
        "core/extra/d.c": "",                          # a folder not in the table
    }
    with tempfile.TemporaryDirectory() as top:
        for path, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(top, path)), exist_ok=True)
            open(os.path.join(top, path), "w").write(text)
        got = "\n".join(check(top, "core", False))
    want = ["layer base may not include compute", "include cycle between files: core/compute/b",
            "include cycle between layers of core", "folder extra is not in the layer table"]
    lang = {
        "kernel/lang/runtime/eval.c": '#include "eval.h"\n#include "bi_train.h"\n',   # runtime may not include lib
        "kernel/lang/runtime/eval.h": "",
        "kernel/lang/lib/bi_train.h": "",
        "kernel/lang/lib/bi_train.c": '#include "bi_train.h"\n#include "live_plot.h"\n',
        "kernel/lang/lib/live_plot.c": '#include "live_plot.h"\n#include "bi_train.h"\n',   # a circle
        "kernel/lang/lib/live_plot.h": "",
    }
    with tempfile.TemporaryDirectory() as top:
        for path, text in lang.items():
            os.makedirs(os.path.dirname(os.path.join(top, path)), exist_ok=True)
            open(os.path.join(top, path), "w").write(text)
        got += "\n" + "\n".join(check(top, "kernel/lang", False))
    want += ["layer runtime may not include lib",
             "include cycle between files: kernel/lang/lib/bi_train -> kernel/lang/lib/live_plot"]
    missed = [w for w in want if w not in got]
    print(got)
    print("include_cycles self-test: " + ("missed: " + "; ".join(missed) if missed else "ok"))
    return 1 if missed else 0


def main(argv):
    if "--self-test" in argv:
        return self_test()
    verbose = "--verbose" in argv
    roots = [a.rstrip("/") for a in argv if not a.startswith("--")] or list(LAYERS)
    top = repo_top()
    problems = []
    for root in roots:
        if root not in LAYERS:
            print("include_cycles: no layer table for %s (known: %s)" % (root, ", ".join(LAYERS)))
            return 2
        problems += check(top, root, verbose)
    for p in problems:
        print(p)
    print("include_cycles: %s: %s" % (", ".join(roots),
                                      "%d problem(s)" % len(problems) if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
