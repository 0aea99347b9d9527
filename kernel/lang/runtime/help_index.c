/* help_index.c: finding builtins by meaning (see help_index.h). */
#include "help_index.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lex.h"
#include "registry.h"

/* What a user may look for, and the words of the docs that answer it. A builtin whose
 * name is one of the words ranks first. */
static const struct { const char *query, *words; } help_topics[] = {
    {"std", "std var mean sum min max deviation spread"},
    {"stdev", "std var mean deviation spread"},
    {"var", "var std mean sum min max variance spread"},
    {"variance", "var std mean variance"},
    {"deviation", "std var mean deviation"},
    {"average", "mean sum ema"},
    {"avg", "mean sum ema"},
    {"reduce", "mean sum min max argmax std var"},
    {"reduction", "mean sum min max argmax std var"},
    {"dot", "matmul product"},
    {"mm", "matmul product"},
    {"bmm", "matmul product"},
    {"einsum", "matmul transpose product"},
    {"product", "matmul cumprod product"},
    {"cat", "concat joins"},
    {"stack", "concat joins"},
    {"hstack", "concat joins"},
    {"vstack", "concat joins"},
    {"concatenate", "concat joins"},
    {"view", "reshape flatten unflatten shape"},
    {"squeeze", "reshape flatten shape"},
    {"unsqueeze", "reshape unflatten shape"},
    {"expand", "reshape broadcasting"},
    {"permute", "transpose axes"},
    {"size", "shape len params"},
    {"numel", "shape len params"},
    {"length", "len shape"},
    {"item", "number"},
    {"int", "number floor round"},
    {"float", "number tensor"},
    {"full", "zeros ones"},
    {"empty", "zeros ones"},
    {"random", "randn rand randint randn_like permutation seed"},
    {"gaussian", "randn randn_like normal"},
    {"uniform", "rand"},
    {"shuffle", "permutation seed"},
    {"randperm", "permutation"},
    {"range", "arange linspace for"},
    {"sort", "argmax min max"},
    {"argsort", "argmax"},
    {"topk", "argmax max"},
    {"argmin", "argmax min"},
    {"clip", "clamp"},
    {"where", "clamp"},
    {"pow", "exp log sqrt"},
    {"power", "exp log sqrt"},
    {"ln", "log log2 exp"},
    {"loss", "mse bce bce_logits cross_entropy kl_gauss step"},
    {"nll", "cross_entropy softmax"},
    {"log_softmax", "cross_entropy softmax"},
    {"mse_loss", "mse"},
    {"l2", "mse"},
    {"activation", "relu sigmoid tanh silu softplus leaky_relu softmax"},
    {"layer", "linear conv2d groupnorm seq dense conv"},
    {"module", "seq net linear"},
    {"sequential", "seq net"},
    {"model", "seq net linear params save load"},
    {"network", "seq net linear params"},
    {"convolution", "conv conv2d avgpool down up flatten unflatten"},
    {"cnn", "conv conv2d avgpool down up flatten unflatten"},
    {"pool", "avgpool down"},
    {"maxpool", "avgpool down"},
    {"batchnorm", "groupnorm"},
    {"layernorm", "groupnorm"},
    {"norm", "groupnorm"},
    {"normalization", "groupnorm"},
    {"optimizer", "adam adamw sgd get_lr set_lr step"},
    {"optim", "adam adamw sgd get_lr set_lr step"},
    {"lr", "get_lr set_lr adam sgd"},
    {"scheduler", "set_lr get_lr"},
    {"steplr", "set_lr get_lr"},
    {"schedule", "set_lr get_lr linspace cumprod"},
    {"dataloader", "train mnist dataset subset"},
    {"loader", "train mnist dataset subset"},
    {"data", "mnist fashion_mnist idx moons dataset labels subset"},
    {"epoch", "train"},
    {"checkpoint", "save load load_into model_file"},
    {"state_dict", "save load load_into"},
    {"pickle", "save load"},
    {"figure", "plot scatter bar hist heatmap show grid savefig display"},
    {"matplotlib", "plot scatter bar hist heatmap show grid savefig"},
    {"imshow", "show heatmap image"},
    {"subplot", "grid"},
    {"subplots", "grid"},
    {"legend", "plot legend"},
    {"chart", "plot bar scatter hist"},
    {"information", "entropy cross_entropy kl surprise huffman"},
    {"bits", "entropy surprise log2 huffman"},
    {"divergence", "kl kl_mc kl_gauss"},
    {"grad", "step detach train"},
    {"gradient", "step detach train"},
    {"backward", "step train"},
    {"zero_grad", "step"},
    {"autograd", "step detach train"},
    {"no_grad", "detach train"},
    {"accuracy", "argmax mean roc_auc score"},
    {"metric", "roc_auc score argmax"},
    {"time", "clock"},
    {"timer", "clock"},
    {"format", "print str repr round"},
    {"fstring", "print str"},
    {"sample", "randn normal score"},
    {"diffusion", "unet temb cumprod ema"},
    {"timestep", "temb unet"},
    {"gan", "bce_logits detach"},
    {"vae", "kl_gauss randn_like"},
    {"reparameterization", "randn_like kl_gauss"},
    {"loop", "for train"},
    {"while", "for"},
    {"def", "fn"},
    {"function", "fn return"},
    {"lambda", "fn"},
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
    return *help_topic(query) != 0;
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
