/* help_index.c: finding builtins by meaning (see help_index.h). */
#include "help_index.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lex.h"
#include "registry.h"

/* What a user may look for, whether it is a NumPy or PyTorch name (which a NameError
 * then points to help for), and the words of the docs that answer it. A builtin whose
 * name is one of the words ranks first. */
static const struct { const char *query; int api; const char *words; } help_topics[] = {
    {"std", 1, "std var mean sum min max deviation spread"},
    {"stdev", 1, "std var mean deviation spread"},
    {"var", 1, "var std mean sum min max variance spread"},
    {"variance", 0, "var std mean variance"},
    {"deviation", 0, "std var mean deviation"},
    {"average", 0, "mean sum ema"},
    {"avg", 0, "mean sum ema"},
    {"reduce", 0, "mean sum min max argmax std var"},
    {"reduction", 0, "mean sum min max argmax std var"},
    {"dot", 1, "matmul product"},
    {"mm", 1, "matmul product"},
    {"bmm", 1, "matmul product"},
    {"einsum", 1, "matmul transpose product"},
    {"product", 0, "matmul cumprod product"},
    {"cat", 1, "concat joins"},
    {"stack", 1, "concat joins"},
    {"hstack", 1, "concat joins"},
    {"vstack", 1, "concat joins"},
    {"concatenate", 1, "concat joins"},
    {"view", 1, "reshape flatten unflatten shape"},
    {"squeeze", 1, "reshape flatten shape"},
    {"unsqueeze", 1, "reshape unflatten shape"},
    {"expand", 1, "reshape broadcasting"},
    {"permute", 1, "transpose axes"},
    {"size", 0, "shape len params"},
    {"numel", 1, "shape len params"},
    {"length", 0, "len shape"},
    {"item", 1, "number"},
    {"int", 0, "number floor round"},
    {"float", 0, "number tensor"},
    {"full", 1, "zeros ones"},
    {"empty", 1, "zeros ones"},
    {"random", 0, "randn rand randint randn_like permutation seed"},
    {"gaussian", 0, "randn randn_like normal"},
    {"uniform", 0, "rand"},
    {"shuffle", 1, "permutation seed"},
    {"randperm", 1, "permutation"},
    {"range", 0, "arange linspace for"},
    {"sort", 0, "argmax min max"},
    {"argsort", 1, "argmax"},
    {"topk", 1, "argmax max"},
    {"argmin", 1, "argmax min"},
    {"clip", 1, "clamp"},
    {"where", 1, "clamp"},
    {"pow", 1, "exp log sqrt"},
    {"power", 0, "exp log sqrt"},
    {"ln", 1, "log log2 exp"},
    {"loss", 0, "mse bce bce_logits cross_entropy kl_gauss step"},
    {"nll", 1, "cross_entropy softmax"},
    {"log_softmax", 1, "cross_entropy softmax"},
    {"mse_loss", 1, "mse"},
    {"l2", 0, "mse"},
    {"activation", 0, "relu sigmoid tanh silu softplus leaky_relu softmax"},
    {"layer", 0, "linear conv2d groupnorm seq dense conv"},
    {"module", 0, "seq net linear"},
    {"sequential", 0, "seq net"},
    {"model", 0, "seq net linear params save load"},
    {"network", 0, "seq net linear params"},
    {"convolution", 0, "conv conv2d avgpool down up flatten unflatten"},
    {"cnn", 0, "conv conv2d avgpool down up flatten unflatten"},
    {"pool", 0, "avgpool down"},
    {"maxpool", 0, "avgpool down"},
    {"batchnorm", 0, "groupnorm"},
    {"layernorm", 0, "groupnorm"},
    {"norm", 0, "groupnorm"},
    {"normalization", 0, "groupnorm"},
    {"optimizer", 0, "adam adamw sgd get_lr set_lr step"},
    {"optim", 0, "adam adamw sgd get_lr set_lr step"},
    {"lr", 0, "get_lr set_lr adam sgd"},
    {"scheduler", 1, "set_lr get_lr"},
    {"steplr", 1, "set_lr get_lr"},
    {"schedule", 0, "set_lr get_lr linspace cumprod"},
    {"dataloader", 1, "train mnist dataset subset"},
    {"loader", 0, "train mnist dataset subset"},
    {"data", 0, "mnist fashion_mnist idx moons dataset labels subset"},
    {"epoch", 0, "train"},
    {"checkpoint", 0, "save load load_into model_file"},
    {"state_dict", 1, "save load load_into"},
    {"pickle", 0, "save load"},
    {"figure", 0, "plot scatter bar hist heatmap show grid savefig display"},
    {"matplotlib", 1, "plot scatter bar hist heatmap show grid savefig"},
    {"imshow", 1, "show heatmap image"},
    {"subplot", 1, "grid"},
    {"subplots", 1, "grid"},
    {"legend", 0, "plot legend"},
    {"chart", 0, "plot bar scatter hist"},
    {"information", 0, "entropy cross_entropy kl surprise huffman"},
    {"bits", 0, "entropy surprise log2 huffman"},
    {"divergence", 0, "kl kl_mc kl_gauss"},
    {"grad", 1, "step detach train"},
    {"gradient", 0, "step detach train"},
    {"backward", 1, "step train"},
    {"zero_grad", 1, "step"},
    {"autograd", 0, "step detach train"},
    {"no_grad", 1, "detach train"},
    {"accuracy", 0, "argmax mean roc_auc score"},
    {"metric", 0, "roc_auc score argmax"},
    {"time", 0, "clock"},
    {"timer", 0, "clock"},
    {"format", 0, "print str repr round"},
    {"fstring", 0, "print str"},
    {"sample", 0, "randn normal score"},
    {"diffusion", 0, "unet temb cumprod ema"},
    {"timestep", 0, "temb unet"},
    {"gan", 0, "bce_logits detach"},
    {"vae", 0, "kl_gauss randn_like"},
    {"reparameterization", 0, "randn_like kl_gauss"},
    {"loop", 0, "for train"},
    {"while", 0, "for"},
    {"def", 0, "fn"},
    {"function", 0, "fn return"},
    {"lambda", 0, "fn"},
};

static int help_is_word(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* Whether word occurs in text as a whole word (letters, digits and _ around it differ). */
static int help_has_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; text && (p = strstr(p, word)); p++)
        if ((p == text || !help_is_word(p[-1])) && !help_is_word(p[n])) return 1;
    return 0;
}

/* The topic words for query ("" when it is no topic). */
static const char *help_topic(const char *query)
{
    for (size_t i = 0; i < sizeof help_topics / sizeof help_topics[0]; i++)
        if (strcmp(help_topics[i].query, query) == 0) return help_topics[i].words;
    return "";
}

int help_related(const char *query)
{
    for (size_t i = 0; i < sizeof help_topics / sizeof help_topics[0]; i++)
        if (strcmp(help_topics[i].query, query) == 0) return help_topics[i].api;
    return 0;
}

/* Whether word names a builtin or a keyword. */
static int help_is_name(const registry *r, const char *word)
{
    return reg_find(r, word) || lex_keyword(word, strlen(word)) != TOK_NAME;
}

/* How well an entry (name, signature, doc) answers query and its topic words: a topic
 * word that is a name counts for the entry of that name only (more for earlier
 * words), any other as a word of the doc. */
static int help_score(const registry *r, const char *query, const char *topic, const char *name, const char *sig,
                      const char *doc)
{
    int score = 0, index = 0;
    if (strlen(query) >= 3 && strstr(name, query)) score += 3;
    if (strlen(query) >= 3 && (help_has_word(sig, query) || help_has_word(doc, query))) score += 2;
    char word[64];
    for (const char *p = topic; *p; index++) {
        size_t n = strcspn(p, " ");
        if (n > 0 && n < sizeof word) {
            memcpy(word, p, n);
            word[n] = 0;
            if (strcmp(word, name) == 0) score += index < 6 ? 10 - index : 4;
            else if (!help_is_name(r, word) && help_has_word(doc, word)) score += 1;
        }
        p += n + (p[n] == ' ');
    }
    return score;
}

enum { HELP_MAX_ENTRIES = 512 };

typedef struct help_hit {
    const char *name, *sig, *doc;
    int score, order;
} help_hit;

static void help_entry(buf *out, const help_hit *h)
{
    const char *end = h->doc;   /* the doc's first sentence: up to a ". " that ends a word */
    while ((end = strstr(end, ". ")) && (end == h->doc || end[-1] == '.' || end[-1] == ' ')) end++;
    int n = end ? (int)(end - h->doc + 1) : (int)strlen(h->doc);
    buf_printf(out, "    %s\n        %.*s\n", h->sig, n, h->doc);
}

/* Collects every builtin and keyword that scores for query into hits; returns how many. */
static int help_collect(const registry *r, const char *query, help_hit *hits, int cap)
{
    const char *topic = help_topic(query);
    int n = 0;
    for (size_t i = 0; reg_at(r, i) && n < cap; i++) {
        const builtin *b = reg_at(r, i);
        int sc = help_score(r, query, topic, b->name, b->signature, b->doc);
        if (sc > 0) hits[n++] = (help_hit){ b->name, b->signature, b->doc, sc, n };
    }
    for (int k = TOK_FIRST_KEYWORD; k <= TOK_LAST_KEYWORD && n < cap; k++) {
        const char *w = lex_keyword_text((tok_kind)k), *doc = reg_keyword_doc(r, w);
        int sc = doc ? help_score(r, query, topic, w, w, doc) : 0;
        if (sc > 0) hits[n++] = (help_hit){ w, w, doc, sc, n };
    }
    return n;
}

int help_search(const registry *r, const char *query, buf *out, int max)
{
    help_hit hits[HELP_MAX_ENTRIES];
    int n = help_collect(r, query, hits, HELP_MAX_ENTRIES), shown = 0;
    /* a selection of the best max, best first, table order among equals; those that
     * score half the best or less are left out */
    for (; shown < max && shown < n; shown++) {
        int best = shown;
        for (int i = shown + 1; i < n; i++)
            if (hits[i].score > hits[best].score ||
                (hits[i].score == hits[best].score && hits[i].order < hits[best].order))
                best = i;
        help_hit t = hits[shown];
        hits[shown] = hits[best];
        hits[best] = t;
        if (shown > 0 && 2 * hits[shown].score <= hits[0].score) break;
        help_entry(out, &hits[shown]);
    }
    return shown;
}
