"""The Pygments lexer of the language (build/share/python/latent_pygments.py, generated
from the kernel's tables; PYTHONPATH points at it): token kinds on sample cells, the word
lists against the kernel's own help(), and Pygments finding it by name, file name and
MIME type through its entry point (the .dist-info beside it)."""
import os
import re
import subprocess
import tempfile
import unittest

from pygments import highlight, lex
from pygments.formatters import HtmlFormatter
from pygments.lexers import (find_lexer_class_for_filename, get_lexer_by_name,
                             get_lexer_for_mimetype)
from pygments.token import Comment, Error, Keyword, Name, Number, String

import latent_pygments

CELL = """# an autoencoder
enc = seq(linear(784, 32), relu)
net = seq(enc, linear(32, 784), sigmoid)
net D(x, t) { return linear(x, 1) }
fn half(v) { return v / 2 }
opt = adam(net, lr=1e-3)
train on data epochs 2 batch 128 {
    loss = mse(net(x), x)   # per pixel
    step opt loss
}
log acc = 0.25
s = "tab\\there \\u{3b2}" + 'it''s'
for i in 0..9 { if i >= 2 and not false { print(none) } }
big = 1_000_000 + 2.5e-3
"""


def tokens(src):
    return [(t, v) for t, v in lex(src, get_lexer_by_name("latent")) if v.strip()]


def kinds(src, word):
    """The token types the lexer gives to every occurrence of word."""
    return [t for t, v in tokens(src) if v == word]


class TestLexer(unittest.TestCase):
    def test_found_by_pygments(self):
        self.assertIs(type(get_lexer_by_name("latent")), latent_pygments.LatentLexer)
        self.assertIs(find_lexer_class_for_filename("lecture.lt"), latent_pygments.LatentLexer)
        self.assertIs(type(get_lexer_for_mimetype("text/x-latent")), latent_pygments.LatentLexer)

    def test_keywords(self):
        for word in ("train", "on", "epochs", "batch", "step", "fn", "return", "for", "in",
                     "if", "and", "not", "log"):
            self.assertTrue(kinds(CELL, word), word)
            self.assertTrue(all(k in Keyword for k in kinds(CELL, word)), (word, kinds(CELL, word)))
        for word in ("false", "none"):
            self.assertEqual(kinds(CELL, word), [Keyword.Constant], word)

    def test_contextual_words(self):
        # net: a keyword before NAME(, a variable otherwise; the names after fn/net
        self.assertEqual(kinds(CELL, "net"), [Name, Keyword, Name, Name])
        self.assertEqual(kinds(CELL, "D"), [Name.Function])
        self.assertEqual(kinds(CELL, "half"), [Name.Function])
        # epochs/batch only in a train header; log(x) is the builtin
        self.assertEqual(kinds("batch = 3\nepochs = batch", "batch"), [Name, Name])
        self.assertEqual(kinds("y = log(2)", "log"), [Name.Builtin])

    def test_builtins_numbers_strings_comments(self):
        for word in ("seq", "linear", "relu", "sigmoid", "adam", "mse", "print"):
            self.assertEqual(set(kinds(CELL, word)), {Name.Builtin}, word)
        self.assertEqual(kinds(CELL, "x"), [Name] * 4)
        self.assertEqual(kinds(CELL, "784"), [Number.Integer] * 2)
        self.assertEqual(kinds(CELL, "1e-3"), [Number.Float])
        self.assertEqual(kinds(CELL, "2.5e-3"), [Number.Float])
        self.assertEqual(kinds(CELL, "1_000_000"), [Number.Integer])
        self.assertEqual(kinds(CELL, "\\t"), [String.Escape])
        self.assertEqual(kinds(CELL, "\\u{3b2}"), [String.Escape])
        self.assertEqual(kinds(CELL, "# per pixel"), [Comment.Single])
        # a range is two numbers and '..', not a float
        self.assertEqual([v for _, v in tokens("0..9")], ["0", "..", "9"])
        # names that start with a keyword or a builtin are plain names
        self.assertEqual(kinds("format = relux + trains", "relux"), [Name])
        self.assertEqual(kinds("format = relux + trains", "format"), [Name])

    def test_multiline_string_and_no_errors(self):
        toks = tokens('s = "one\nfn two"\nfn f() { return 1 }')
        self.assertEqual(kinds('s = "one\nfn two"', "one\nfn two"), [String.Double])
        self.assertEqual([t for t, v in toks if v == "fn"], [Keyword])
        self.assertFalse([v for t, v in tokens(CELL) if t in Error])

    def test_html(self):
        html = highlight(CELL, get_lexer_by_name("latent"), HtmlFormatter())
        self.assertIn('<span class="k">train</span>', html)
        self.assertIn('<span class="nb">linear</span>', html)
        self.assertIn('<span class="kc">none</span>', html)
        self.assertIn('<span class="c1"># per pixel</span>', html)

    @unittest.skipUnless(os.environ.get("LATENT_RUN"), "LATENT_RUN (the latent-run binary) not set")
    def test_lists_match_the_kernel(self):
        """The generated lists are the kernel's: every builtin help() lists, every keyword
        that help(word) explains, and nothing else."""
        with tempfile.NamedTemporaryFile("w", suffix=".lt") as f:
            f.write("help()\n")
            f.flush()
            out = subprocess.run([os.environ["LATENT_RUN"], f.name], capture_output=True,
                                 text=True, check=True).stdout
        # each builtin's signature, "name(...)", or a constant's name alone ("pi")
        listed = {m.group(1) for m in re.finditer(r"^    ([A-Za-z_]\w*)(?:\(|$)", out, re.M)}
        self.assertEqual(set(latent_pygments.BUILTINS), listed)
        words = latent_pygments.KEYWORDS + latent_pygments.CONSTANTS
        self.assertEqual(len(words), len(set(words)))
        self.assertTrue({"fn", "train", "on", "step", "net", "if", "for", "return"} <= set(words))
        self.assertEqual(set(latent_pygments.CONSTANTS), {"true", "false", "none"})


class TestInstall(unittest.TestCase):
    @unittest.skipUnless(os.environ.get("LATENT_BUILD"), "LATENT_BUILD (the build folder) not set")
    def test_install_twice(self):
        """install-lexer.sh into an empty folder, twice (setup is safe to run again): a
        python3 with only that folder added (not the build's) finds the lexer through its
        entry point, and the folder holds one .dist-info."""
        script = os.path.join(os.environ["LATENT_SOURCE"], "share", "scripts", "install-lexer.sh")
        with tempfile.TemporaryDirectory() as site:
            env = dict(os.environ, LATENT_PYTHON_SITE=site)
            for _ in range(2):
                subprocess.run(["bash", script, os.environ["LATENT_BUILD"]], env=env, check=True,
                               capture_output=True)
            self.assertEqual(sorted(os.listdir(site)),
                             ["latent_pygments-" + latent_pygments.__version__ + ".dist-info",
                              "latent_pygments.py"])
            env["PYTHONPATH"] = site
            out = subprocess.run(
                ["/usr/bin/python3", "-c", "from pygments.lexers import get_lexer_by_name as g;"
                 "import latent_pygments as m; print(g('latent').name, m.__file__)"],
                env=env, check=True, capture_output=True, text=True).stdout.split()
            self.assertEqual(out, ["Latent", os.path.join(site, "latent_pygments.py")])


if __name__ == "__main__":
    unittest.main()
