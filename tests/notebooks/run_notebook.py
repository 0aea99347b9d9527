"""run_notebook.py NOTEBOOK OUT_DIR: executes a lecture notebook with the latent
kernel (nbclient, as `jupyter nbconvert --execute` does), fails on any error in a
cell not tagged raises-exception, checks that every code cell ran and that the
outputs include what the notebook promises (a result; a PNG where it shows one),
and writes the executed copy to OUT_DIR. A cell may take 600 s (LATENT_CELL_TIMEOUT
seconds when set: a benchmark on a crowded machine)."""
import base64
import os
import sys

import nbformat
from nbclient import NotebookClient


def main():
    path, out_dir = sys.argv[1], sys.argv[2]
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="latent", timeout=int(os.environ.get("LATENT_CELL_TIMEOUT", "600")),
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    client.execute()  # raises CellExecutionError on an unexpected error

    kinds = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None, f"cell not run: {cell.source!r}"
        tagged = "raises-exception" in cell.metadata.get("tags", [])
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert bool(errors) == tagged, f"error expectation broken in {cell.source!r}"
        for o in cell.outputs:
            kinds.add(o.output_type)
            png = o.get("data", {}).get("image/png")
            if png is not None:
                assert base64.b64decode(png)[:8] == b"\x89PNG\r\n\x1a\n", "image/png is not a PNG"
                kinds.add("png")
    assert "execute_result" in kinds, "no cell produced a result"
    source = "".join(c.source for c in nb.cells if c.cell_type == "code")
    if any(f"{name}(" in source for name in ("image", "plot", "bar", "scatter", "hist", "heatmap", "show")):
        assert "png" in kinds, "the notebook shows a picture but no PNG came back"

    os.makedirs(out_dir, exist_ok=True)
    nbformat.write(nb, os.path.join(out_dir, os.path.basename(path)))
    print(f"{os.path.basename(path)}: {sum(c.cell_type == 'code' for c in nb.cells)} code cells ran")


if __name__ == "__main__":
    main()
