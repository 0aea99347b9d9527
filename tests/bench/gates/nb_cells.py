#!/usr/bin/python3
"""nb_cells.py NOTEBOOK.ipynb > OUT.lt: the code cells of a notebook as a latent-run script
(cells separated by '# %%'), then a cell defining gate(name, value, target, ok), which
prints 'gate NAME: VALUE (target: TARGET) ok|MISS', so that a gate script can append
cells that measure the notebook's own models with its own variables."""
import json
import sys

GATE = '''fn gate(name, value, target, ok) {
    print("gate " + name + ": " + str(value) + " (target: " + target + ") " + (ok and "ok" or "MISS"))
}'''
cells = json.load(open(sys.argv[1], encoding="utf-8"))["cells"]
code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
sys.stdout.write("\n# %%\n".join(code + [GATE]) + "\n")
