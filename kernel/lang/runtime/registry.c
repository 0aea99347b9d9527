/* registry.c: the session's builtins, statements, keywords and closers, opened by the
 * libraries (see registry.h), and the checked call of a builtin. */
#include "registry.h"

#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "sess.h"

const char *const reg_any_keywords[] = {"*", NULL};

/* ---- opening ---------------------------------------------------------------------- */

/* The entry registered for (name, on), or NULL. */
static const builtin *reg_lookup(const registry *r, const char *name, const val_type *on)
{
    for (int t = 0; t < r->ntables; t++) {
        if (r->tables[t].on != on) continue;
        for (const builtin *b = r->tables[t].table; b->name; b++)
            if (strcmp(b->name, name) == 0) return b;
    }
    return NULL;
}

int reg_open_on(registry *r, const val_type *on, const builtin *table, int listed)
{
    if (r->ntables == REG_MAX_TABLES) {
        snprintf(r->clash, sizeof r->clash, "more than %d builtin tables", REG_MAX_TABLES);
        return -1;
    }
    for (const builtin *b = table; b->name; b++) {
        int twice = reg_lookup(r, b->name, on) != NULL;
        for (const builtin *c = table; c < b && !twice; c++) twice = strcmp(c->name, b->name) == 0;
        if (twice) {
            snprintf(r->clash, sizeof r->clash, "builtin %s%s%s is registered twice", b->name,
                     on ? " on " : "", on ? on->name : "");
            return -1;
        }
    }
    r->tables[r->ntables].table = table;
    r->tables[r->ntables].on = on;
    r->tables[r->ntables++].listed = listed;
    return 0;
}

int reg_open(registry *r, const builtin *table) { return reg_open_on(r, NULL, table, 1); }

int reg_keyword(registry *r, const char *word, const char *doc)
{
    if (r->nkeywords == REG_MAX_KEYWORDS || reg_keyword_doc(r, word)) {
        snprintf(r->clash, sizeof r->clash, "keyword %s: documented twice or too many keywords", word);
        return -1;
    }
    r->keywords[r->nkeywords].word = word;
    r->keywords[r->nkeywords++].doc = doc;
    return 0;
}

int reg_constant(registry *r, const char *name, double x)
{
    double had;
    if (r->nconstants == REG_MAX_CONSTANTS || reg_constant_get(r, name, &had)) {
        snprintf(r->clash, sizeof r->clash, "constant %s: registered twice or too many constants", name);
        return -1;
    }
    r->constants[r->nconstants].name = name;
    r->constants[r->nconstants++].x = x;
    return 0;
}

int reg_constant_get(const registry *r, const char *name, double *x)
{
    for (int i = 0; i < r->nconstants; i++)
        if (strcmp(r->constants[i].name, name) == 0) { *x = r->constants[i].x; return 1; }
    return 0;
}

int reg_statement(registry *r, int kind, const char *word, const char *doc, reg_stmt_fn fn)
{
    if (kind < 0 || kind >= REG_MAX_STMTS || r->stmt[kind]) {
        snprintf(r->clash, sizeof r->clash, "statement %s is registered twice", word);
        return -1;
    }
    r->stmt[kind] = fn;
    return word ? reg_keyword(r, word, doc) : 0;
}

int reg_call_hooks(registry *r, reg_enter_fn enter, reg_leave_fn leave)
{
    if (r->enter || r->leave) {
        snprintf(r->clash, sizeof r->clash, "two libraries hook function calls");
        return -1;
    }
    r->enter = enter;
    r->leave = leave;
    return 0;
}

int reg_closer(registry *r, reg_close_fn fn)
{
    if (r->nclosers == REG_MAX_CLOSERS) {
        snprintf(r->clash, sizeof r->clash, "more than %d closers", REG_MAX_CLOSERS);
        return -1;
    }
    r->closers[r->nclosers++] = fn;
    return 0;
}

/* ---- looking up ------------------------------------------------------------------- */

const builtin *reg_find(const registry *r, const char *name)
{
    return reg_lookup(r, name, NULL);
}

const builtin *reg_overload(const registry *r, const char *name, const val_type *t)
{
    return t ? reg_lookup(r, name, t) : NULL;
}

const builtin *reg_at(const registry *r, size_t i)
{
    for (int t = 0; t < r->ntables; t++) {
        if (!r->tables[t].listed) continue;
        size_t n = 0;
        while (r->tables[t].table[n].name) n++;
        if (i < n) return &r->tables[t].table[i];
        i -= n;
    }
    return NULL;
}

const char *reg_keyword_doc(const registry *r, const char *word)
{
    for (int i = 0; i < r->nkeywords; i++)
        if (strcmp(r->keywords[i].word, word) == 0) return r->keywords[i].doc;
    return NULL;
}

reg_stmt_fn reg_stmt(const registry *r, int kind)
{
    return kind >= 0 && kind < REG_MAX_STMTS ? r->stmt[kind] : NULL;
}

void reg_help_text(const builtin *b, buf *out)
{
    buf_printf(out, "%s\n    %s\n", b->signature, b->doc);
    if (!b->example) return;
    buf_puts(out, "    Example:\n");
    for (const char *line = b->example; *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        buf_puts(out, "        ");
        buf_add(out, line, n);
        buf_putc(out, '\n');
        line += n + (nl != NULL);
    }
}

/* ---- checking calls ---------------------------------------------------------------- */

static int reg_check_count(const builtin *b, bi_args *a)
{
    int n = a->npos;
    if (n >= b->min_args && (b->max_args < 0 || n <= b->max_args)) return 0;
    if (b->max_args == b->min_args)
        return bi_fail(a, NULL, "TypeError", "%s() takes %d argument%s (%d given)", b->name,
                       b->min_args, b->min_args == 1 ? "" : "s", n);
    if (b->max_args < 0)
        return bi_fail(a, NULL, "TypeError", "%s() takes at least %d argument%s (%d given)", b->name,
                       b->min_args, b->min_args == 1 ? "" : "s", n);
    return bi_fail(a, NULL, "TypeError", "%s() takes %d to %d arguments (%d given)", b->name,
                   b->min_args, b->max_args, n);
}

static int reg_check_keyword(const builtin *b, bi_args *a, const ast_node *key)
{
    const char *best = NULL;
    int best_d = 1000, d;
    if (b->keywords == reg_any_keywords) return 0;
    for (const char *const *k = b->keywords; k && *k; k++) {
        if (strcmp(*k, key->text) == 0) return 0;
        if (diag_close(key->text, *k, &d) && d < best_d) { best = *k; best_d = d; }
    }
    if (!b->keywords)
        return bi_fail(a, key, "TypeError", "%s() takes no keyword arguments (got '%s')", b->name, key->text);
    if (best)
        return bi_fail(a, key, "TypeError", "unknown keyword '%s' for %s(); did you mean '%s'?", key->text, b->name, best);
    buf known;
    buf_init(&known);
    for (const char *const *k = b->keywords; *k; k++) buf_printf(&known, "%s%s", k == b->keywords ? "" : ", ", *k);
    int st = bi_fail(a, key, "TypeError", "unknown keyword '%s' for %s() (it takes %s)", key->text, b->name, known.data);
    buf_free(&known);
    return st;
}

int reg_call(const builtin *b, bi_args *a, value *out)
{
    if (a->npos > 0 && IS_OBJ(a->pos[0]) && a->s->reg) {
        const builtin *m = reg_overload(a->s->reg, b->name, AS_OBJ(a->pos[0])->type);
        if (m) b = m;
    }
    if (reg_check_count(b, a) < 0) return -1;
    for (int i = 0; i < a->nkw; i++) {
        if (reg_check_keyword(b, a, a->kw_keys[i]) < 0) return -1;
        for (int j = 0; j < i; j++)
            if (strcmp(a->kw_keys[j]->text, a->kw_keys[i]->text) == 0)
                return bi_fail(a, a->kw_keys[i], "TypeError", "keyword '%s' given twice", a->kw_keys[i]->text);
    }
    return b->fn(a, out);
}
