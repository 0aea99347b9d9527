"""Hostile cells for the kernel: hand-written ones (edges of numbers, shapes, nesting,
encodings, sizes, recursion, runaway loops) and generated ones (seeded token soups from
the language's own vocabulary, and mutations of valid cells). None names the guarded
variables (sentinel, guard_net, guard_probe) or writes files (no save/savefig/load)."""
import random

GUARDED = ("sentinel", "guard_net", "guard_opt", "guard_probe")

HAND_WRITTEN = [
    # numbers at the edges
    "1e308 * 10", "-1e308 * 10", "1e-320", "0 / 0", "1 / 0", "0 ^ -1", "-0", "-0.0 == 0",
    "2 ^ 1024", "(-8) ^ (1/3)", "99999999999999999999999999999", "1e999", "-1e999",
    "sqrt(-1)", "log(0)", "log(-1)", "exp(1000)", "exp(-1000)", "floor(1e300)",
    "round(1e308, digits=300)", "round(2.5, digits=-400)", "round(1, digits=1e9)",
    "10 % 0", "-7 % 3", "abs(-0)", "min()", "max([])", "sum([])", "1 .. 0",
    "tensor([1e38]) * 10", "tensor([0]) / tensor([0])", "sum(tensor([1e38, 1e38, -1e38]))",
    "log(tensor([0, -1]))", "exp(tensor([100, -100]))", "sqrt(tensor([-1]))",
    # shapes and sizes
    "zeros(-1)", "zeros(0)", "zeros(0, 5)", "zeros(100000, 100000)", "zeros(1e10)",
    "zeros(2, 3) + zeros(3, 2)", "ones(3)[5]", "ones(3)[-4]", "ones(3)[1:0]",
    "reshape(ones(6), 4, -1)", "reshape(ones(6), -1, -1)", "linear(0, 5)",
    "linear(100000, 100000)", "linear(-1, 2)", "seq()", "seq(relu)(ones(2))",
    "linear(3, 2)(ones(2, 4))", "conv(ones(1, 1, 4, 4), 0)", "randn(3, 0)",
    "[1, 2][2]", "[][0]", "\"abc\"[10]", "\"\"[0]", "[1] * -1", "\"ab\" * 1e9",
    "x = []\nfor i in 1 .. 100 { x = x + x + [i] }",
    # nesting, recursion, length
    "(" * 5000 + "1" + ")" * 5000, "[" * 3000 + "]" * 3000, "{" * 2000,
    "-" * 100000 + "1", "not " * 50000 + "true", "1" + " + 1" * 100000,
    "fn f(n) { return f(n + 1) }\nf(0)", "fn g(n) { return g }\ng(1)(2)(3)",
    "fn h() { return h() + h() }\nh()", "a_very_long_name_" * 2000 + " = 1",
    "print(\"" + "x" * 2_000_000 + "\")", "\"" + "\\" * 10001 + "\"",
    # encodings and bytes
    "\x00", "print(\"\x00\")", "\ufeff1 + 1", "print(\"\udcff\")".encode("utf-8", "surrogatepass")
    .decode("utf-8", "replace"), "print(\"\U0001F600\" * 1000)", "€ = 1", "x\u200b = 1",
    "print(\"\\xff\\xfe\")", "print(\"\\u{110000}\")", "print(\"\\", "\"\\", "'", "\"",
    "\r\n\r\n", "\t\t\t", "\x1b[2J", "# only a comment", "", " ", "\n" * 10000,
    # syntax soup
    "for", "for i", "for i in", "for i in 1 ..", "if", "if true", "if true {", "else {}",
    "fn", "fn (", "fn f(", "fn f() {", "return", "return 1", "train", "train on",
    "train on 1 epochs 1 batch 1 { }", "step", "step 1 2", "net", "net n(", "log",
    "log x", "x = = 1", "= 1", "1 = x", "x.y", "x..y", "1 ... 2", "@@@", "$", "`",
    "a, b = 1, 2", "[1, 2,", "f(a=1, a=2)", "print(sep=)", "print(1,,2)",
    # runaway work (stopped by the test's interrupt)
    "for i in 1 .. 1e15 { y = i }", "while true { }", "for i in 1 .. 1e9 { z = [i] }",
    # misuse of builtins
    "help(help)", "help(\"for\")", "help(1)", "help(zeros(2))", "type(type)", "str(str)",
    "repr(print)", "print(print)", "len(1)", "entropy([])", "entropy([0.5, 0.6])",
    "entropy([-1, 2])", "kl([1, 0], [0, 1])", "huffman()", "huffman(\"\")",
    "huffman(A=0)", "huffman(A=-1, B=2)", "normal(0, -1)", "normal(0, 0)",
    "kl(normal(0, 0), normal(0, 1))", "plot([])", "plot([nan, inf, -inf])",
    "plot([1e308, -1e308])", "hist([])", "hist([1], bins=0)", "hist([1], bins=1e9)",
    "heatmap(zeros(0, 0))", "heatmap(zeros(1, 1))", "show(zeros(0, 784))",
    "show(zeros(3, 5))", "scatter([1], [])", "bar([])", "bar([1], labels=[])",
    "adam([], lr=1e-3)", "adam([linear(2, 2)], lr=-1)", "adam([linear(2, 2)], lr=nan)",
    "moons(0)", "moons(-5)", "moons(1e9)", "subset(moons(10), 100)", "mnist()[10000]",
    "seed(-1)", "seed(1e30)", "live(2)", "display()", "grid()",
]


VOCAB = {
    "num": ["0", "1", "-1", "2", "0.5", "1e308", "1e-308", "nan", "inf", "-inf", "3",
            "128", "784", "1e9", "-0"],
    "str": ["\"\"", "\"a\"", "\"€\"", "\"\\n\"", "\"0110\"", "\"ABRACADABRA\""],
    "name": ["a", "b", "xs", "tmp", "m", "t", "loss", "opt", "data", "i", "x", "y"],
    "call": ["zeros", "ones", "randn", "rand", "tensor", "linear", "seq", "relu", "sigmoid",
             "tanh", "mse", "bce", "sum", "mean", "sqrt", "exp", "log", "abs", "len",
             "print", "plot", "hist", "heatmap", "show", "entropy", "cross_entropy", "kl",
             "huffman", "normal", "density", "reshape", "number", "shape", "moons",
             "subset", "adam", "sgd", "max", "min", "round", "str", "type", "help",
             "prefix_free", "kraft", "expected_length", "encode", "decode", "detach",
             "concat", "flatten", "range", "labels", "softmax", "matmul"],
    "op": ["+", "-", "*", "/", "%", "^", "==", "<", ">=", "and", "or", "not", ".."],
    "punct": ["(", ")", "[", "]", "{", "}", ",", "=", ":", "\n"],
    "kw": ["for", "in", "if", "else", "fn", "return", "train", "on", "epochs", "batch",
           "step", "log", "net", "true", "false", "none"],
}

VALID = [
    "a = [1, 2, 3]\nsum(a) / len(a)",
    "t = randn(4, 3)\nshape(t)",
    "m = seq(linear(2, 4), relu, linear(4, 2))\nm(ones(3, 2))",
    "entropy([0.5, 0.25, 0.25])",
    "c = huffman(A=0.5, B=0.25, C=0.25)\nencode(c, \"ABC\")",
    "kl(normal(0, 1), normal(1, 2))",
    "xs = [1, 4, 9]\nplot(xs)",
    "for i in 1 .. 3 { tmp = i * i }\ntmp",
    "fn sq(v) { return v * v }\nsq(7)",
    "t = tensor([1, 2, 3])\nsum(t * t)",
]


def soup(rng):
    """A seeded sequence of 1..30 tokens from the language's vocabulary."""
    parts = []
    for _ in range(rng.randint(1, 30)):
        kind = rng.choice(list(VOCAB))
        tok = rng.choice(VOCAB[kind])
        if kind == "call" and rng.random() < 0.7:
            args = ", ".join(rng.choice(VOCAB["num"] + VOCAB["name"] + VOCAB["str"])
                             for _ in range(rng.randint(0, 3)))
            tok = f"{tok}({args})"
        parts.append(tok)
    return " ".join(parts)


def mutate(rng, text):
    """A valid cell with bytes deleted, duplicated, swapped or replaced."""
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        if not chars:
            break
        i = rng.randrange(len(chars))
        r = rng.random()
        if r < 0.3:
            del chars[i]
        elif r < 0.5:
            chars.insert(i, chars[i] * rng.randint(1, 5))
        elif r < 0.75:
            j = rng.randrange(len(chars))
            chars[i], chars[j] = chars[j], chars[i]
        else:
            chars[i] = rng.choice("()[]{}=,.+-*/^%\"'\\\n0123456789e€\x00")
    return "".join(chars)


def corpus(n_generated=900, seed=20261208):
    """HAND_WRITTEN and n_generated more (half token soups, half mutations)."""
    rng = random.Random(seed)
    cells = list(HAND_WRITTEN)
    for k in range(n_generated):
        cells.append(soup(rng) if k % 2 == 0 else mutate(rng, rng.choice(VALID)))
    for c in cells:
        assert not any(g in c for g in GUARDED), c
    return cells
