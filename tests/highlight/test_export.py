"""nbconvert's HTML export highlights Latent: a notebook is executed by the latent kernel
of the build tree (JUPYTER_PATH), then exported with `jupyter nbconvert --to html`, the
way share/scripts/notebooks.sh exports the lectures (nbconvert picks the lexer from the
notebook's language_info, which the execution writes). The kernel's
language_info names the lexer (pygments_lexer "latent", codemirror_mode "latent"), and
the HTML has Pygments' token spans for Latent's keywords, builtins, numbers, strings and
comments (PYTHONPATH points at the generated lexer in build/share/python)."""
import json
import os
import subprocess
import tempfile
import unittest

CELLS = [
    'fn sq(v) { return v^2 }   # a function\nfor i in 1..2 { print(sq(i)) }',
    # parsed, never run: the training loop's words
    'if false {\n    train on data epochs 3 batch 64 {\n        step opt loss\n    }\n}\n'
    's = "done"\nnone',
]


def notebook(path):
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
              "outputs": [], "source": src} for i, src in enumerate(CELLS)]
    nb = {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "latent", "display_name": "Latent",
                                      "language": "latent"}}}
    with open(path, "w") as f:
        json.dump(nb, f)


class TestExport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        src = os.path.join(cls.dir.name, "highlight.ipynb")
        notebook(src)
        env = dict(os.environ, JUPYTER_RUNTIME_DIR=os.path.join(cls.dir.name, "runtime"))
        out = os.path.join(cls.dir.name, "out.ipynb")
        for args in (["--execute", "--to", "notebook", src], ["--to", "html", out]):
            subprocess.run(["/usr/bin/python3", "-m", "nbconvert", *args, "--output-dir",
                            cls.dir.name, "--output", "out"],
                           check=True, env=env, capture_output=True)
        with open(os.path.join(cls.dir.name, "out.html")) as f:
            cls.html = f.read()
        with open(os.path.join(cls.dir.name, "out.ipynb")) as f:
            cls.nb = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_language_info(self):
        info = self.nb["metadata"]["language_info"]
        self.assertEqual(info["pygments_lexer"], "latent")
        self.assertEqual(info["codemirror_mode"], "latent")
        self.assertEqual(info["mimetype"], "text/x-latent")
        self.assertEqual("".join(self.nb["cells"][0]["outputs"][0]["text"]), "1\n4\n")

    def test_token_spans(self):
        for span in ('<span class="k">fn</span>', '<span class="nf">sq</span>',
                     '<span class="k">return</span>', '<span class="k">for</span>',
                     '<span class="k">in</span>', '<span class="k">train</span>',
                     '<span class="k">on</span>', '<span class="k">epochs</span>',
                     '<span class="k">batch</span>', '<span class="k">step</span>',
                     '<span class="kc">false</span>', '<span class="kc">none</span>',
                     '<span class="nb">print</span>', '<span class="mi">64</span>',
                     '<span class="s2">"done"</span>',
                     '<span class="c1"># a function</span>'):
            self.assertTrue(span in self.html, f"{span} not in the HTML")
        self.assertTrue('class=" highlight hl-latent"' in self.html, "no hl-latent block")
        # Python's lexer would have called these plain names
        for span in ('<span class="n">train</span>', '<span class="n">fn</span>', 'class="err"'):
            self.assertFalse(span in self.html, f"{span} in the HTML")


if __name__ == "__main__":
    unittest.main()
