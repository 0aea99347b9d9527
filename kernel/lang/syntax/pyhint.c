/* pyhint.c: messages for Python habits (see pyhint.h). Tables, so that a new habit
 * is one line. */
#include "pyhint.h"

#include <string.h>

/* ---- words that start a statement ---------------------------------------------------- */

typedef struct py_word_hint {
    const char *word;
    py_next next;            /* what must follow (PY_NEXT_OTHER: anything but PY_NEXT_END) */
    const char *msg;
} py_word_hint;

static const py_word_hint py_words[] = {
    {"def", PY_NEXT_NAME, "'def' is Python: Latent defines a function as fn NAME(x, y) { ... return EXPR }"},
    {"lambda", PY_NEXT_NAME, "Latent has no lambda: define fn f(x) { return EXPR } and pass f"},
    {"lambda", PY_NEXT_COLON, "Latent has no lambda: define fn f() { return EXPR } and pass f"},
    {"import", PY_NEXT_NAME, "Latent has nothing to import: every builtin is always there (help() lists them, "
                         "help(\"topic\") finds them by meaning)"},
    {"from", PY_NEXT_NAME, "Latent has nothing to import: every builtin is always there (help() lists them, "
                       "help(\"topic\") finds them by meaning)"},
    {"class", PY_NEXT_NAME, "Latent has no classes: a network is seq(layer, ...) or net NAME(x) { ... return EXPR }, "
                        "a function fn NAME(x) { ... }"},
    {"elif", PY_NEXT_OTHER, "'elif' is Python: Latent writes } else if COND {"},
    {"while", PY_NEXT_OTHER, "Latent has no while loop: count with for i in 1 .. n { ... } (inside a fn, return "
                       "ends it early)"},
};

const char *py_word(const char *word, py_next next)
{
    for (size_t i = 0; i < sizeof py_words / sizeof py_words[0]; i++) {
        const py_word_hint *h = &py_words[i];
        if (strcmp(h->word, word) == 0 && (h->next == PY_NEXT_OTHER ? next != PY_NEXT_END : next == h->next))
            return h->msg;
    }
    return NULL;
}

/* ---- attributes and methods ---------------------------------------------------------- */

typedef struct py_attr_hint {
    const char *attr;
    int call;                /* 1: only as a method call, 0: only as an attribute, -1: either */
    const char *fmt;         /* what Latent does instead; every %s is the object's text */
} py_attr_hint;

static const py_attr_hint py_attrs[] = {
    {"shape", -1, "writes shape(%s)"},
    {"size", 1, "writes shape(%s)"},
    {"ndim", 0, "writes len(shape(%s))"},
    {"T", 0, "writes transpose(%s)"},
    {"t", 1, "writes transpose(%s)"},
    {"lr", 0, "writes get_lr(%s) to read the learning rate and set_lr(%s, lr) to change it"},
    {"param_groups", 0, "writes get_lr(%s) to read the learning rate and set_lr(%s, lr) to change it"},
    {"step", 1, "writes step %s LOSS inside a train body: it zeroes the gradients, back-propagates LOSS and updates"},
    {"zero_grad", 1, "needs nothing: step OPT LOSS zeroes the gradients itself"},
    {"backward", 1, "writes step OPT %s inside a train body: it back-propagates into OPT's parameters and updates them"},
    {"item", 1, "writes number(%s)"},
    {"detach", 1, "writes detach(%s)"},
    {"numpy", 1, "writes %s as it is: a tensor is already a plain float32 array (number(%s) for one element)"},
    {"tolist", 1, "writes %s as it is: a tensor is already a plain float32 array (number(%s) for one element)"},
    {"cpu", 1, "writes %s as it is: everything runs on the CPU"},
    {"cuda", 1, "writes %s as it is: everything runs on the CPU"},
    {"to", 1, "writes %s as it is: everything runs on the CPU in float32"},
    {"float", 1, "writes %s as it is: tensors are float32"},
    {"append", 1, "writes %s = %s + [item] (lists are joined with +)"},
    {"extend", 1, "writes %s = %s + other (lists are joined with +)"},
    {"parameters", 1, "writes the network itself where PyTorch wants its parameters: adam(%s), params(%s) counts them"},
    {"train", 1, "needs nothing: a network has no training mode; autograd records only inside train bodies"},
    {"eval", 1, "needs nothing: a network has no evaluation mode; outside train bodies nothing is recorded"},
    {"forward", 1, "writes %s(x): call the network"},
    {"format", 1, "writes + and str(x): \"loss \" + str(x)"},
};

/* Python modules, and the builtins some of their functions are in Latent. */
static const char *const py_modules[] = {"np", "numpy", "torch", "nn", "F", "plt", "math", "random", "optim", NULL};
static const struct { const char *py, *latent; } py_module_fns[] = {
    {"Linear", "linear"}, {"Sequential", "seq"}, {"ReLU", "relu"}, {"Sigmoid", "sigmoid"}, {"Tanh", "tanh"},
    {"SiLU", "silu"}, {"LeakyReLU", "leaky_relu"}, {"Conv2d", "conv2d"}, {"GroupNorm", "groupnorm"},
    {"Flatten", "flatten"}, {"Adam", "adam"}, {"AdamW", "adamw"}, {"SGD", "sgd"}, {"mse_loss", "mse"},
    {"binary_cross_entropy", "bce"}, {"binary_cross_entropy_with_logits", "bce_logits"}, {"imshow", "show"},
    {"manual_seed", "seed"}, {"cat", "concat"}, {"concatenate", "concat"},
};

/* np.mean(x), torch.nn.Linear(784, 256): the builtin, if obj is a module. */
static int py_module_attr(const char *obj, const char *attr, int call, buf *out)
{
    size_t i = 0;
    while (py_modules[i] && strcmp(py_modules[i], obj) != 0) i++;
    if (!py_modules[i]) return 0;
    const char *fn = NULL;
    for (size_t k = 0; k < sizeof py_module_fns / sizeof py_module_fns[0] && !fn; k++)
        if (strcmp(py_module_fns[k].py, attr) == 0) fn = py_module_fns[k].latent;
    if (call)
        buf_printf(out, "has no modules, its functions are builtins: write %s(...)", fn ? fn : attr);
    else
        buf_printf(out, "has no modules, its functions are builtins (help() lists them, help(\"%s\") searches)", attr);
    return 1;
}

void py_attr(const char *obj, const char *written, const char *attr, int call, int has_args, buf *out)
{
    buf_printf(out, "'%s%s' is Python: Latent ", written, call ? (has_args ? "(...)" : "()") : "");
    if (py_module_attr(obj, attr, call, out)) return;
    for (size_t i = 0; i < sizeof py_attrs / sizeof py_attrs[0]; i++) {
        const py_attr_hint *h = &py_attrs[i];
        if (strcmp(h->attr, attr) != 0 || (h->call >= 0 && h->call != call)) continue;
        /* every %s of fmt is obj */
        for (const char *f = h->fmt; *f; f++) {
            if (f[0] == '%' && f[1] == 's') { buf_puts(out, obj); f++; }
            else buf_putc(out, *f);
        }
        return;
    }
    if (call)
        buf_printf(out, "has no methods: the value goes first into a function, %s(%s%s)", attr, obj, has_args ? ", ..." : "");
    else
        buf_printf(out, "has no attributes: values go into functions, %s(%s) if there is one "
                   "(help(\"%s\") searches the builtins)", attr, obj, attr);
}

/* ---- operators and string prefixes --------------------------------------------------- */

static const struct { const char *op, *msg; } py_ops[] = {
    {"**", "'**' is Python's power: Latent writes a ^ b"},
    {"//", "'//' is Python's whole-number division: Latent writes floor(a / b)"},
    {"+=", "Latent has no '+=': write x = x + 1"},
    {"-=", "Latent has no '-=': write x = x - 1"},
    {"*=", "Latent has no '*=': write x = x * 2"},
    {"/=", "Latent has no '/=': write x = x / 2"},
    {"@", "'@' is Python's matrix product: Latent writes matmul(a, b)"},
    {"&", "'&' is Python's: Latent writes 'and' (for 0/1 tensor masks, a * b)"},
    {"|", "'|' is Python's: Latent writes 'or' (for 0/1 tensor masks, a + b > 0)"},
    {"~", "'~' is Python's: Latent writes 'not' (for a 0/1 tensor mask, 1 - m)"},
    {"!", "'!' is not Latent: write 'not' (and '!=' for not equal)"},
};

const char *py_operator(const char *p, int *len)
{
    for (size_t i = 0; i < sizeof py_ops / sizeof py_ops[0]; i++) {
        size_t n = strlen(py_ops[i].op);
        if (p[0] == '!' && p[1] == '=') break;   /* != is Latent's too */
        if (strncmp(p, py_ops[i].op, n) == 0) { *len = (int)n; return py_ops[i].msg; }
    }
    *len = 0;
    return NULL;
}

const char *py_string_prefix(const char *name, size_t len)
{
    static const char *const f[] = {"f", "F", "rf", "fr", "Rf", "fR", "RF", "FR", "rF", "Fr"};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (strlen(f[i]) == len && memcmp(f[i], name, len) == 0)
            return "f-strings are Python: Latent joins text with + and str(x), as in \"loss \" + str(x)";
    if (len == 1 && (*name == 'r' || *name == 'b' || *name == 'u'))
        return "string prefixes are Python: Latent strings are written \"...\" or '...' (\\\\ for a backslash)";
    return NULL;
}

/* ---- names ------------------------------------------------------------------------- */

static const struct { const char *name, *msg; } py_names[] = {
    {"range", "; Latent counts in the for statement: for i in 0 .. n - 1 { ... } (both ends included), "
              "and arange(n) makes a tensor 0, 1, ..., n - 1"},
    {"enumerate", "; Latent counts in the for statement: for i in 0 .. len(l) - 1 { v = l[i] }"},
    {"zip", "; Latent counts in the for statement: for i in 0 .. len(a) - 1 { ... a[i] ... b[i] }"},
    {"int", "; Latent numbers are all 64-bit floats: floor(x) or round(x) makes a whole one, "
            "number(t) reads a one-element tensor"},
    {"float", "; Latent numbers are all 64-bit floats (number(t) reads a one-element tensor)"},
    {"list", "; Latent writes a list as [a, b, c] (a + b joins two lists)"},
    {"dict", "; Latent has no dictionaries: use two lists, or keyword arguments"},
    {"isinstance", "; type(x) gives the name of x's type, e.g. type(x) == \"tensor\""},
    {"None", "; did you mean 'none'?"},
    {"True", "; did you mean 'true'?"},
    {"False", "; did you mean 'false'?"},
    {"self", "; Latent has no classes: a network is seq(layer, ...) or net NAME(x) { ... return EXPR }"},
    {"np", "; Latent has no modules: NumPy's functions are builtins (np.mean(x) is mean(x); help() lists them)"},
    {"numpy", "; Latent has no modules: NumPy's functions are builtins (help() lists them)"},
    {"torch", "; Latent has no modules: torch.randn(2, 3) is randn(2, 3), torch.nn.Linear(784, 256) is "
              "linear(784, 256) (help() lists them)"},
    {"nn", "; Latent has no modules: nn.Linear(784, 256) is linear(784, 256), nn.Sequential(...) is seq(...)"},
    {"F", "; Latent has no modules: F.relu(x) is relu(x), F.mse_loss(a, b) is mse(a, b)"},
    {"plt", "; Latent has no modules: plt.plot(y) is plot(y), plt.imshow(img) is show(img) (help() lists them)"},
    {"math", "; Latent has no modules: math.sqrt(x) is sqrt(x) (help() lists them)"},
};

const char *py_name(const char *name)
{
    for (size_t i = 0; i < sizeof py_names / sizeof py_names[0]; i++)
        if (strcmp(py_names[i].name, name) == 0) return py_names[i].msg;
    return NULL;
}
