#!/usr/bin/python3
"""nb_gates.py NOTEBOOK.ipynb LATENT_RUN < GATES.lt: a notebook's gates, measured on the
notebook's own models. Runs the notebook's code cells top to bottom (as one latent-run
script, cells separated by '# %%', in notebooks/), then a cell that defines
gate(name, value, target, ok), which prints 'gate NAME: VALUE (target: TARGET) ok|MISS',
then the gate cell read from standard input, which uses the notebook's variables.
Prints the run's other output, then the gate lines, then how long the cells took.
Exit status 0 when the cells ran and printed their gates, met or missed (gates.sh counts
the MISS lines; a non-zero status there means the script could not run), 1 otherwise."""
import json
import os
import subprocess
import sys
import tempfile
import time

GATE = '''fn gate(name, value, target, ok) {
    print("gate " + name + ": " + str(value) + " (target: " + target + ") " + (ok and "ok" or "MISS"))
}'''


def main():
    nb, run = sys.argv[1], sys.argv[2]
    cells = json.load(open(nb, encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    with tempfile.NamedTemporaryFile("w", suffix=".lt", delete=False, encoding="utf-8") as f:
        f.write("\n# %%\n".join(code + [GATE, sys.stdin.read()]) + "\n")
    start = time.time()
    res = subprocess.run([run, f.name], cwd=os.path.dirname(os.path.abspath(nb)),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    secs = time.time() - start
    os.unlink(f.name)
    lines = res.stdout.splitlines()
    gates = [l for l in lines if l.startswith("gate ")]
    print("\n".join(l for l in lines if not l.startswith("gate ")))
    print("\n".join(gates))
    print("%s's cells took %.0f s here (latent-run, no Jupyter)" % (os.path.basename(nb), secs))
    sys.exit(0 if res.returncode == 0 and gates else 1)


main()
