/* bi_save.c: save, load, load_into and seed (see bi_save.h).
 *
 * The files (core/nn/ckpt.h containers), by kind:
 *
 *   "network"    arch            text  the architecture as the language writes it,
 *                                      "seq(linear(784, 256), relu, linear(256, 20))"
 *                param.K.NAME    f32   parameter block K (0, 1, ... in the order of the
 *                                      layers; NAME is the layer's): a linear's weight
 *                                      (out, in) row-major and bias (out); the blocks of
 *                                      other layers flat, (n)
 *   "optimizer"  kind            text  "Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "Adadelta"
 *                hyper           f64   (8) lr, momentum, dampening, nesterov, beta1,
 *                                      beta2, eps, weight_decay; or (21): those, then
 *                                      alpha, centered, lr_decay, init_acc, rho, clip and
 *                                      the schedule's kind, warmup, steps, every, gamma,
 *                                      min_lr, start (sched_val.c; files of 8 have none)
 *                step            i64   () steps taken
 *                sizes           i64   (blocks) the floats of each parameter block
 *                nets            text  the architectures of its networks, one a line
 *                m               f32   (total) momentum buffer / Adam's first moment
 *                v               f32   (total) Adam's second moment, or the second state
 *                                      buffer of the others (not for SGD and Adagrad)
 *                u               f32   (total) a third state buffer (RMSprop with momentum
 *                                      and centered only)
 *   "history"    name            text  "loss"
 *                values          f32   (n) one value per mini-batch
 *                epochs          i64   () the epochs they span
 *
 * An optimizer file does not hold the weights: load it with the networks it trains,
 * saved and loaded on their own (load("opt.ckpt", nets=[enc, dec])).
 *
 * A network's arch is the expression of layer builtins that builds it, every argument
 * written out (sv_write: "seq(conv2d(1, 8, k=3, stride=2, padding=1), groupnorm(4, 8),
 * silu)", "unet(c1=16, c2=32, c3=64, groups=4, sdim=64, tdim=128)"), so that a rebuild
 * never depends on a builtin's defaults. load() rebuilds the network by evaluating it;
 * it may only call the layer builtins of sv_layers below with literal arguments (a file
 * cannot run code). Files written before, whose arch is the layer table's row
 * ("group_norm(4, 8)", "conv2d(1, 8, k=3, stride=2, pad=1)", "unet(16, 32, 64)"), have
 * the same format (version 1: the arch is only text) and are read through sv_legacy.
 * A `net` (arch "net NAME(x, t)": its layers come from running its body) goes back
 * with load_into(net, path) into a network of the same description, whose blocks must
 * match the file's in number and size. */
#include "bi_save.h"
#include "sched_val.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bi_ema.h"
#include "bi_npy.h"
#include "ckpt.h"
#include "kinds.h"
#include "env.h"
#include "eval.h"
#include "bi_nn.h"
#include "parse.h"
#include "score.h"
#include "bi_train.h"

enum { SV_ARCH_MAX = 16384 };

static int sv_core_fail(bi_args *a, lt_status st)
{
    return bi_fail(a, NULL, lt_status_name(st), "%s", lt_errmsg());
}

static const char *sv_article(const char *word)
{
    return strchr("aeiou", word[0]) ? "an" : "a";
}

static int sv_path(bi_args *a, int i, const char **path)
{
    if (!IS_STR(a->pos[i]) || AS_STR(a->pos[i])->len == 0)
        return bi_fail(a, a->pos_nodes[i], "TypeError", "a file name must be a non-empty string, not %s",
                       IS_STR(a->pos[i]) ? "\"\"" : val_type_name(a->pos[i]));
    *path = AS_STR(a->pos[i])->chars;
    return 0;
}

/* ---- parameter blocks with unique names ---------------------------------------- */

typedef struct sv_blocks {
    lt_param *p;        /* (n) views of the module's blocks, renamed param.K.NAME */
    char (*names)[64];  /* (n) their names */
    int n;
} sv_blocks;

static void sv_blocks_free(sv_blocks *b)
{
    free(b->p);
    free(b->names);
    b->p = NULL;
    b->names = NULL;
}

/* The blocks of the networks nets[0..nnets), numbered across them. */
static int sv_blocks_of(bi_args *a, const value *nets, int nnets, sv_blocks *b)
{
    lt_param none;
    int n = 0;
    for (int i = 0; i < nnets; i++) n += nn_params(nv_module(nets[i]), &none, 0);
    b->n = n;
    b->p = malloc((size_t)(n ? n : 1) * sizeof *b->p);
    b->names = malloc((size_t)(n ? n : 1) * sizeof *b->names);
    if (!b->p || !b->names) { sv_blocks_free(b); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    for (int i = 0, k = 0; i < nnets; i++) k += nn_params(nv_module(nets[i]), b->p + k, n - k);
    for (int k = 0; k < n; k++) {
        snprintf(b->names[k], sizeof b->names[k], "param.%d.%s", k, b->p[k].name ? b->p[k].name : "block");
        b->p[k].name = b->names[k];
    }
    return 0;
}

/* ---- architectures --------------------------------------------------------------- */

/* Whether an architecture text may call builtin name: the layers of core's table of
 * kinds (kinds.h), which also says how each is written (sv_write). */
static int sv_is_layer(const char *name)
{
    return nn_kind_named(name) != NULL;
}

/* Whether n is a layer expression: a layer name, or a call of one whose arguments are
 * numbers, booleans or layer expressions. */
static int sv_arch_ok(const ast_node *n, int depth)
{
    if (depth > 64) return 0;
    if (n->kind == AST_NAME) return sv_is_layer(n->text);
    if (n->kind != AST_CALL || n->a->kind != AST_NAME || !sv_is_layer(n->a->text)) return 0;
    for (int i = 0; i < n->n; i++) {
        const ast_node *x = n->items[i];
        if (x->kind == AST_UNARY && x->a && x->a->kind == AST_NUM) continue;
        if (x->kind == AST_NUM || x->kind == AST_TRUE || x->kind == AST_FALSE) continue;
        if (!sv_arch_ok(x, depth + 1)) return 0;
    }
    return 1;
}

/* Appends the expression of layer builtins that builds m, every argument written: each
 * layer as its kind's call (nn_arch, kinds.h); a net as "net NAME(x, t)", which no
 * expression builds. A layer shared through a variable is written where it is used (a
 * rebuild makes one layer each). */
static void sv_write(lt_module *m, buf *b)
{
    char d[256];
    int n;
    m = nv_unshare(m);
    lt_module **kids = nn_is(m, "seq") ? nn_seq_children(m, &n) : NULL;
    if (kids) {
        buf_puts(b, "seq(");
        for (int i = 0; i < n; i++) {
            if (i) buf_puts(b, ", ");
            sv_write(kids[i], b);
        }
        buf_putc(b, ')');
    } else {
        buf_puts(b, nn_arch(m, d, sizeof d));
    }
}

/* The architecture text of a network (sv_write). Returns 0, or -1 with a ValueError
 * when it does not fit in cap bytes (MemoryError when out of memory). */
static int sv_arch_of(bi_args *a, value net, char *text, size_t cap)
{
    buf b;
    buf_init(&b);
    sv_write(nv_module(net), &b);
    int oom = b.oom, fits = b.len + 1 < cap;
    if (!oom && fits) memcpy(text, b.data, b.len + 1);
    buf_free(&b);
    if (oom) return bi_fail(a, NULL, "MemoryError", "out of memory");
    if (!fits)
        return bi_fail(a, NULL, "ValueError", "cannot save this network: its description is longer than %zu bytes",
                       cap - 1);
    return 0;
}

/* ---- architectures of older files -------------------------------------------------- */

static const ast_node *sv_key(const ast_node *call, const char *name)
{
    for (int i = 0; call->keys && i < call->n; i++)
        if (call->keys[i] && strcmp(call->keys[i]->text, name) == 0) return call->items[i];
    return NULL;
}

static ast_node *sv_node(arena *ar, const ast_node *at, ast_kind kind, const char *text, double num)
{
    ast_node *x = arena_alloc(ar, sizeof *x);
    if (!x) return NULL;
    *x = (ast_node){ .kind = kind, .line = at->line, .col = at->col, .num = num, .text = text,
                     .text_len = text ? strlen(text) : 0 };
    return x;
}

/* Appends the keyword argument name=num to call (whose arrays live in ar). -1 when
 * out of memory. */
static int sv_add_kw(arena *ar, ast_node *call, const char *name, double num)
{
    ast_node **items = arena_alloc(ar, (size_t)(call->n + 1) * sizeof *items);
    ast_node **keys = arena_alloc(ar, (size_t)(call->n + 1) * sizeof *keys);
    ast_node *v = sv_node(ar, call, AST_NUM, NULL, num), *k = sv_node(ar, call, AST_NAME, name, 0);
    if (!items || !keys || !v || !k) return -1;
    for (int i = 0; i < call->n; i++) {
        items[i] = call->items[i];
        keys[i] = call->keys ? call->keys[i] : NULL;
    }
    items[call->n] = v;
    keys[call->n] = k;
    call->items = items;
    call->keys = keys;
    call->n++;
    return 0;
}

/* The architectures of older files as layer table rows wrote them, turned into the
 * calls that build the same layers:
 *   group_norm(4, 8)                      groupnorm(4, 8)
 *   conv2d(1, 8, k=3, stride=2, pad=1)    conv2d(1, 8, k=3, stride=2, padding=1)
 *   conv2d(1, 8, k=2)                     conv2d(1, 8, k=2, padding=0): the short row
 *                                         meant padding (k - 1) // 2, not k // 2
 *   unet(16, 32, 64)                      unet(c1=16, c2=32, c3=64, groups=4, sdim=64,
 *                                         tdim=128), the configuration of that time
 * Files written now carry every argument and pass through unchanged. -1 when out of
 * memory. */
static int sv_legacy(arena *ar, ast_node *n, int depth)
{
    if (depth > 64 || n->kind != AST_CALL || !n->a || n->a->kind != AST_NAME) return 0;
    const char *f = n->a->text;
    if (strcmp(f, "group_norm") == 0) {
        n->a->text = "groupnorm";
        n->a->text_len = strlen("groupnorm");
    } else if (strcmp(f, "conv2d") == 0) {
        for (int i = 0; n->keys && i < n->n; i++)
            if (n->keys[i] && strcmp(n->keys[i]->text, "pad") == 0 &&
                !(n->keys[i] = sv_node(ar, n->keys[i], AST_NAME, "padding", 0)))
                return -1;
        const ast_node *k = sv_key(n, "k");   /* not a number: conv2d's own error */
        if (!sv_key(n, "padding") && (!k || k->kind == AST_NUM) &&
            sv_add_kw(ar, n, "padding", floor(((k ? k->num : 3) - 1) / 2)) < 0)
            return -1;
    } else if (strcmp(f, "unet") == 0 && n->n == 3 && (!n->keys || (!n->keys[0] && !n->keys[1] && !n->keys[2]))) {
        static const char *const names[] = { "c1", "c2", "c3" };
        ast_node **keys = arena_alloc(ar, 3 * sizeof *keys);
        for (int i = 0; keys && i < 3; i++)
            if (!(keys[i] = sv_node(ar, n->items[i], AST_NAME, names[i], 0))) return -1;
        if (!keys) return -1;
        n->keys = keys;
        if (sv_add_kw(ar, n, "groups", 4) < 0 || sv_add_kw(ar, n, "sdim", 64) < 0 || sv_add_kw(ar, n, "tdim", 128) < 0)
            return -1;
    }
    for (int i = 0; i < n->n; i++)
        if (sv_legacy(ar, n->items[i], depth + 1) < 0) return -1;
    return 0;
}

/* A new network value built from an architecture text (read from a file). The
 * session's generator is not advanced: the layers' initial weights come from a scratch
 * generator and are overwritten by the file's. */
static int sv_build(bi_args *a, const char *arch, const char *path, value *out)
{
    if (strncmp(arch, "net ", 4) == 0)
        return bi_fail(a, NULL, "TypeError", "%s holds the weights of %.200s: run its definition and call it "
                       "once (so that its layers exist), then load_into(%.*s, \"%s\")", path, arch,
                       (int)strcspn(arch + 4, "( "), arch + 4, path);
    arena ar = {0};
    diag err;
    char one[64];
    if (strlen(arch) < sizeof one - 2 && sv_is_layer(arch)) {   /* a lone activation: relu() */
        snprintf(one, sizeof one, "%s()", arch);
        arch = one;
    }
    ast_node *cell = parse_cell(arch, &ar, &err);
    if (cell && cell->n == 1 && sv_legacy(&ar, cell->items[0], 0) < 0) {
        arena_free(&ar);
        return bi_fail(a, NULL, "MemoryError", "out of memory");
    }
    if (!cell || cell->n != 1 || !sv_arch_ok(cell->items[0], 0)) {
        arena_free(&ar);
        return bi_fail(a, NULL, "FormatError", "%s: the architecture \"%.200s\" is not a network this "
                       "Latent can build; load_into(net, \"%s\") loads it into a network of that architecture",
                       path, arch, path);
    }
    tc_ctx *tc = tc_get(a->s, a->call);
    env *none = env_new();
    if (!tc || !none) {
        arena_free(&ar);
        env_free(none);
        return tc ? bi_fail(a, NULL, "MemoryError", "out of memory") : -1;
    }
    /* evaluated with no variables in sight (a variable called linear cannot take over)
     * and a scratch generator */
    rng keep = tc->r;
    env *globals = a->s->globals, *locals = a->s->locals;
    a->s->globals = none;
    a->s->locals = NULL;
    rng_seed(&tc->r, 0);
    int st = eval_expr(a->s, cell->items[0], out);
    tc->r = keep;
    a->s->globals = globals;
    a->s->locals = locals;
    env_free(none);
    arena_free(&ar);
    if (st < 0) {
        char why[sizeof a->s->err.msg];
        snprintf(why, sizeof why, "%s", a->s->err.msg);
        return bi_fail(a, NULL, "FormatError", "%s: cannot rebuild %.200s (%.300s); load_into(net, \"%s\") "
                       "loads it into a network of that architecture", path, arch, why, path);
    }
    if (!nv_is(*out)) {
        val_decref(*out);
        return bi_fail(a, NULL, "FormatError", "%s: the architecture \"%.200s\" is not a network", path, arch);
    }
    return 0;
}

/* ---- save ------------------------------------------------------------------------ */

/* 0 for LT_OK, else the core's error as the builtin's */
static int sv_add(bi_args *a, lt_status st)
{
    return st == LT_OK ? 0 : sv_core_fail(a, st);
}

/* The shapes of m's blocks, from *k on, as the layer table gives them (nn_block_shape,
 * kinds.h: a linear's weight (out, in) and bias (out)); the blocks of other layers (and
 * of layers shared through a variable) as they are, (n). */
static void sv_shapes(lt_module *m, const sv_blocks *b, int *ndim, int64_t (*shape)[2], int *k)
{
    int n;
    lt_module **kids = nn_seq_children(m, &n);
    if (kids) {
        for (int i = 0; i < n; i++) sv_shapes(kids[i], b, ndim, shape, k);
        return;
    }
    lt_param none;
    for (int i = 0, nb = nn_params(m, &none, 0); i < nb; i++, (*k)++)
        ndim[*k] = nn_block_shape(m, i, b->p[*k].n, shape[*k]);
}

static int sv_net(bi_args *a, value net, ckpt_writer *w)
{
    char arch[SV_ARCH_MAX];
    sv_blocks b;
    if (sv_arch_of(a, net, arch, sizeof arch) < 0 || sv_blocks_of(a, &net, 1, &b) < 0) return -1;
    int *ndim = malloc((size_t)(b.n ? b.n : 1) * sizeof *ndim), k = 0;
    int64_t (*shape)[2] = malloc((size_t)(b.n ? b.n : 1) * sizeof *shape);
    int st = ndim && shape ? sv_add(a, ckpt_add_text(w, "arch", arch)) : bi_fail(a, NULL, "MemoryError", "out of memory");
    if (st == 0) sv_shapes(nv_module(net), &b, ndim, shape, &k);
    for (int i = 0; st == 0 && i < b.n; i++) {
        if (k != b.n) { ndim[i] = 1; shape[i][0] = (int64_t)b.p[i].n; }   /* a layer kind not walked: flat */
        st = sv_add(a, ckpt_add_f32(w, b.p[i].name, b.p[i].w, ndim[i], shape[i]));
    }
    free(ndim);
    free(shape);
    sv_blocks_free(&b);
    return st;
}

enum { SV_HYPER = 8 + SCH_HYPER_MORE };

static void sv_hyper(const optim *o, double h[SV_HYPER])
{
    sch_hyper_write(&o->o, h + 8);
    h[0] = o->o.lr; h[1] = o->o.momentum; h[2] = o->o.dampening; h[3] = o->o.nesterov;
    h[4] = o->o.beta1; h[5] = o->o.beta2; h[6] = o->o.eps; h[7] = o->o.weight_decay;
}

static int sv_opt(bi_args *a, const ov_data *d, ckpt_writer *w)
{
    const optim *o = d->opt;
    double h[SV_HYPER];
    int64_t eight = SV_HYPER, nb = o->nparams, total = (int64_t)o->total, step = o->step;
    int64_t *sizes = malloc((size_t)(nb ? nb : 1) * sizeof *sizes);
    buf nets;
    buf_init(&nets);
    if (!sizes) return bi_fail(a, NULL, "MemoryError", "out of memory");
    for (int i = 0; i < o->nparams; i++) sizes[i] = (int64_t)o->params[i].n;
    for (int i = 0; i < d->nnets; i++) {
        if (i) buf_putc(&nets, '\n');
        sv_write(nv_module(d->nets[i]), &nets);
    }
    sv_hyper(o, h);
    int st = nets.oom ? bi_fail(a, NULL, "MemoryError", "out of memory") : 0;
    if (st == 0) st = sv_add(a, ckpt_add_text(w, "kind", optim_name(o->kind)));
    if (st == 0) st = sv_add(a, ckpt_add_f64(w, "hyper", h, 1, &eight));
    if (st == 0) st = sv_add(a, ckpt_add_i64(w, "step", &step, 0, NULL));
    if (st == 0) st = sv_add(a, ckpt_add_i64(w, "sizes", sizes, 1, &nb));
    if (st == 0) st = sv_add(a, ckpt_add_text(w, "nets", nets.data ? nets.data : ""));
    if (st == 0) st = sv_add(a, ckpt_add_f32(w, "m", o->m, 1, &total));
    if (st == 0 && o->v) st = sv_add(a, ckpt_add_f32(w, "v", o->v, 1, &total));
    if (st == 0 && o->u) st = sv_add(a, ckpt_add_f32(w, "u", o->u, 1, &total));
    free(sizes);
    buf_free(&nets);
    return st;
}

static int sv_history(bi_args *a, value v, ckpt_writer *w)
{
    const char *name;
    const float *x;
    size_t n;
    int epochs;
    train_history_get(v, &name, &x, &n, &epochs);
    int64_t len = (int64_t)n, ep = epochs;
    int st = sv_add(a, ckpt_add_text(w, "name", name));
    if (st == 0) st = sv_add(a, ckpt_add_f32(w, "values", x, 1, &len));
    if (st == 0) st = sv_add(a, ckpt_add_i64(w, "epochs", &ep, 0, NULL));
    return st;
}

static const char *sv_kind_of(value v)
{
    const char *name;
    const float *x;
    size_t n;
    int epochs;
    if (nv_is(v) || ema_val_is(v)) return "network";
    if (ov_is(v)) return "optimizer";
    if (train_history_get(v, &name, &x, &n, &epochs) == 0) return "history";
    return NULL;
}

/* save(value, path) */
static int bs_save(bi_args *a, value *out)
{
    const char *path = NULL, *kind = sv_kind_of(a->pos[0]);
    if (npy_val_wants(a)) return npy_val_save(a, out);   /* tensors: NumPy's .npy/.npz */
    if (!kind)
        return bi_fail(a, a->pos_nodes[0], "TypeError", "save() takes a network (or its ema), an optimizer or a "
                       "training history (to a checkpoint), or tensors (to .npy/.npz), not %s", val_type_name(a->pos[0]));
    if (sv_path(a, 1, &path) < 0) return -1;
    ckpt_writer *w = ckpt_writer_new(kind);
    if (!w) return sv_core_fail(a, LT_ERR_NOMEM);
    int st;
    if (ema_val_is(a->pos[0])) {   /* the network with the averaged weights */
        value net;
        st = ema_val_swap(a, a->pos[0], &net);
        if (st == 0) {
            st = sv_net(a, net, w);
            ema_val_swap(a, a->pos[0], &net);
        }
    } else st = kind[0] == 'n' ? sv_net(a, a->pos[0], w)
           : kind[0] == 'o' ? sv_opt(a, AS_OBJ(a->pos[0])->data, w) : sv_history(a, a->pos[0], w);
    if (st == 0) st = sv_add(a, ckpt_write(w, path));
    ckpt_writer_free(w);
    if (st < 0) return -1;
    *out = NONE_VAL;
    return 0;
}

/* ---- load ------------------------------------------------------------------------ */

static int sv_read(bi_args *a, const char *path, ckpt **ck)
{
    lt_status st = ckpt_read(path, ck);
    return st == LT_OK ? 0 : sv_core_fail(a, st);
}

static int sv_get(bi_args *a, const ckpt *ck, const char *name, ckpt_type type, const ckpt_rec **r)
{
    lt_status st = ckpt_get(ck, name, type, r);
    return st == LT_OK ? 0 : sv_core_fail(a, st);
}

/* Copies the file's parameter blocks into the network's (all or nothing). */
static int sv_load_params(bi_args *a, const ckpt *ck, value net)
{
    sv_blocks b;
    if (sv_blocks_of(a, &net, 1, &b) < 0) return -1;
    int nrec = 0;
    for (size_t i = 0; i < ckpt_count(ck); i++) nrec += strncmp(ckpt_at(ck, i)->name, "param.", 6) == 0;
    if (nrec != b.n) {
        sv_blocks_free(&b);
        return bi_fail(a, NULL, "ValueError", "%s holds %d parameter block%s, the network has %d%s: nothing was loaded",
                       ckpt_path(ck), nrec, nrec == 1 ? "" : "s", b.n, b.n == 0 ? " (a net makes its layers when first called)" : "");
    }
    lt_status st = ckpt_load_params(ck, "", b.p, b.n);
    sv_blocks_free(&b);
    return st == LT_OK ? 0 : sv_core_fail(a, st);
}

static int sv_load_net(bi_args *a, const ckpt *ck, value *out)
{
    const ckpt_rec *arch;
    if (sv_get(a, ck, "arch", CKPT_TEXT, &arch) < 0) return -1;
    if (sv_build(a, arch->data, ckpt_path(ck), out) < 0) return -1;
    if (sv_load_params(a, ck, *out) < 0) { val_decref(*out); return -1; }
    return 0;
}

static int sv_load_history(bi_args *a, const ckpt *ck, value *out)
{
    const ckpt_rec *name, *values, *epochs;
    if (sv_get(a, ck, "name", CKPT_TEXT, &name) < 0 || sv_get(a, ck, "values", CKPT_F32, &values) < 0 ||
        sv_get(a, ck, "epochs", CKPT_I64, &epochs) < 0)
        return -1;
    if (values->ndim != 1 || epochs->ndim != 0)
        return bi_fail(a, NULL, "FormatError", "%s: a history needs 1-D values and a number of epochs", ckpt_path(ck));
    if (train_history_new(name->data, values->data, values->count, (int)*(const int64_t *)epochs->data, out) < 0)
        return bi_fail(a, NULL, "MemoryError", "out of memory");
    return 0;
}

/* The optimizer records of ck, checked against the blocks of nets: *kind, *o, *step
 * and the m, v records. Changes nothing. */
typedef struct sv_optrec {
    optim_kind kind;
    optim_opts o;
    long step;
    const ckpt_rec *m, *v, *u;
} sv_optrec;

static int sv_opt_kind(const char *name, optim_kind *k)
{
    for (int i = 0; i < OPTIM_KINDS; i++)
        if (strcmp(optim_name((optim_kind)i), name) == 0) { *k = (optim_kind)i; return 0; }
    return -1;
}

static int sv_opt_check(bi_args *a, const ckpt *ck, const lt_param *ps, int np, sv_optrec *r)
{
    const char *path = ckpt_path(ck);
    const ckpt_rec *kind, *hyper, *step, *sizes, *nets;
    if (sv_get(a, ck, "kind", CKPT_TEXT, &kind) < 0 || sv_get(a, ck, "hyper", CKPT_F64, &hyper) < 0 ||
        sv_get(a, ck, "step", CKPT_I64, &step) < 0 || sv_get(a, ck, "sizes", CKPT_I64, &sizes) < 0 ||
        sv_get(a, ck, "nets", CKPT_TEXT, &nets) < 0 || sv_get(a, ck, "m", CKPT_F32, &r->m) < 0)
        return -1;
    if (sv_opt_kind(kind->data, &r->kind) < 0 || (hyper->count != 8 && hyper->count != SV_HYPER) ||
        step->ndim != 0 || sizes->ndim != 1)
        return bi_fail(a, NULL, "FormatError", "%s: malformed optimizer records", path);
    const double *h = hyper->data;
    r->o = (optim_opts){ .lr = h[0], .momentum = h[1], .dampening = h[2], .nesterov = h[3] != 0,
                         .beta1 = h[4], .beta2 = h[5], .eps = h[6], .weight_decay = h[7] };
    if (hyper->count == SV_HYPER) sch_hyper_read(h + 8, &r->o);
    else { optim_opts d = optim_defaults(r->kind); r->o.alpha = d.alpha; r->o.rho = d.rho; }
    r->step = (long)*(const int64_t *)step->data;
    const int64_t *sz = sizes->data;
    size_t total = 0;
    int same = (int64_t)np == sizes->shape[0];
    for (int i = 0; same && i < np; i++) { same = sz[i] == (int64_t)ps[i].n; total += ps[i].n; }
    if (!same) {
        char was[512];
        snprintf(was, sizeof was, "%s", (const char *)nets->data);
        for (char *c = was; *c; c++) if (*c == '\n') *c = ';';
        return bi_fail(a, NULL, "ValueError", "%s is the optimizer of other networks (%s: %lld parameter "
                       "blocks, %d given): give the same networks, in the same order",
                       path, was, (long long)sizes->shape[0], np);
    }
    int ns = optim_nstate(r->kind, &r->o);
    r->v = ns >= 2 ? ckpt_find(ck, "v") : NULL;
    r->u = ns >= 3 ? ckpt_find(ck, "u") : NULL;
    int64_t want = (int64_t)total;
    if (ckpt_check_shape(r->m, 1, &want, path) != LT_OK ||
        (ns >= 2 && ckpt_check_shape(r->v, 1, &want, path) != LT_OK) ||
        (ns >= 3 && ckpt_check_shape(r->u, 1, &want, path) != LT_OK))
        return bi_fail(a, NULL, "FormatError", "%s", lt_errmsg());
    if ((r->v && r->v->type != CKPT_F32) || (r->u && r->u->type != CKPT_F32))
        return bi_fail(a, NULL, "FormatError", "%s: 'v' or 'u' is not f32", path);
    return 0;
}

static void sv_opt_apply(optim *o, const sv_optrec *r)
{
    o->o = r->o;
    o->step = r->step;
    if (o->total) memcpy(o->m, r->m->data, o->total * sizeof(float));
    if (o->v && r->v && o->total) memcpy(o->v, r->v->data, o->total * sizeof(float));
    if (o->u && r->u && o->total) memcpy(o->u, r->u->data, o->total * sizeof(float));
}

/* The networks of nets=: one network or a list of them (borrowed). */
static int sv_nets_kw(bi_args *a, const value **nets, int *n)
{
    const ast_node *at;
    const value *v = bi_kw(a, "nets", &at);
    if (!v) return bi_fail(a, NULL, "TypeError", "an optimizer file needs the networks it trains: "
                           "load(\"%s\", nets=[enc, dec])", AS_STR(a->pos[0])->chars);
    *nets = IS_LIST(*v) ? AS_LIST(*v)->items : v;
    *n = IS_LIST(*v) ? (int)AS_LIST(*v)->n : 1;
    for (int i = 0; i < *n; i++)
        if (!nv_is((*nets)[i]))
            return bi_fail(a, at, "TypeError", "nets= takes networks, not %s", val_type_name((*nets)[i]));
    if (*n < 1) return bi_fail(a, at, "ValueError", "nets= needs at least one network");
    return 0;
}

static int sv_load_opt(bi_args *a, const ckpt *ck, value *out)
{
    const value *nets = NULL;
    int n = 0;
    sv_blocks b;
    sv_optrec r;
    if (sv_nets_kw(a, &nets, &n) < 0 || sv_blocks_of(a, nets, n, &b) < 0) return -1;
    if (sv_opt_check(a, ck, b.p, b.n, &r) < 0) { sv_blocks_free(&b); return -1; }
    ov_data *d = calloc(1, sizeof *d);
    value *keep = malloc((size_t)n * sizeof *keep);
    optim *o = d && keep ? optim_new(r.kind, b.p, b.n, &r.o) : NULL;
    sv_blocks_free(&b);
    if (!o) {
        free(d);
        free(keep);
        return d && keep ? sv_core_fail(a, LT_ERR_VALUE) : bi_fail(a, NULL, "MemoryError", "out of memory");
    }
    sv_opt_apply(o, &r);
    for (int i = 0; i < n; i++) { keep[i] = nets[i]; val_incref(nets[i]); }
    *d = (ov_data){ .opt = o, .nets = keep, .nnets = n };
    for (int i = 0; !a->s->locals && i < a->call->n; i++)   /* the stale check's names, from nets= */
        if (a->call->keys[i] && strcmp(a->call->keys[i]->text, "nets") == 0 && ov_name_nets(d, a->call->items[i]) < 0) {
            ov_type.free(d);
            return bi_fail(a, NULL, "MemoryError", "out of memory");
        }
    val_obj *obj = val_obj_new(&ov_type, d);
    if (!obj) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = OBJ_VAL(obj);
    return 0;
}

/* load(path, nets=none) */
static int bs_load(bi_args *a, value *out)
{
    const char *path = NULL;
    ckpt *ck;
    if (sv_path(a, 0, &path) < 0) return -1;
    if (npy_val_is_file(path)) return npy_val_load(a, out);
    if (sv_read(a, path, &ck) < 0) return -1;
    const char *kind = ckpt_kind(ck);
    int st;
    if (bi_kw(a, "nets", NULL) && strcmp(kind, "optimizer") != 0)
        st = bi_fail(a, NULL, "TypeError", "nets= is for optimizer files; %s holds %s %s", path, sv_article(kind), kind);
    else if (strcmp(kind, "network") == 0) st = sv_load_net(a, ck, out);
    else if (strcmp(kind, "optimizer") == 0) st = sv_load_opt(a, ck, out);
    else if (strcmp(kind, "history") == 0) st = sv_load_history(a, ck, out);
    else st = bi_fail(a, NULL, "FormatError", "%s holds %s %s, which this Latent cannot load", path, sv_article(kind), kind);
    ckpt_free(ck);
    return st;
}

/* load_into(net, path): the weights of a saved network of the same architecture */
static int sv_into_net(bi_args *a, const ckpt *ck, value net)
{
    const ckpt_rec *arch;
    char mine[SV_ARCH_MAX], theirs[SV_ARCH_MAX];
    if (sv_get(a, ck, "arch", CKPT_TEXT, &arch) < 0 || sv_arch_of(a, net, mine, sizeof mine) < 0) return -1;
    snprintf(theirs, sizeof theirs, "%s", (const char *)arch->data);
    /* a net describes itself by its name only: its blocks (number, sizes) are the check */
    int nets = strncmp(mine, "net ", 4) == 0 && strncmp(theirs, "net ", 4) == 0;
    if (!nets && strcmp(mine, theirs) != 0 && strncmp(theirs, "net ", 4) != 0) {
        /* an older file writes the same layers in other words: compare what they build */
        value built;
        if (sv_build(a, arch->data, ckpt_path(ck), &built) == 0) {
            int st = sv_arch_of(a, built, theirs, sizeof theirs);
            val_decref(built);
            if (st < 0) return -1;
        }
    }
    if (!nets && strcmp(mine, theirs) != 0)
        return bi_fail(a, a->pos_nodes[0], "ValueError", "%s holds a %.300s, not a %.300s: nothing was loaded",
                       ckpt_path(ck), theirs, mine);
    return sv_load_params(a, ck, net);
}

static int sv_into_opt(bi_args *a, const ckpt *ck, const ov_data *d)
{
    sv_optrec r;
    if (sv_opt_check(a, ck, d->opt->params, d->opt->nparams, &r) < 0) return -1;
    if (r.kind != d->opt->kind)
        return bi_fail(a, a->pos_nodes[0], "ValueError", "%s holds the state of %s, not of %s: nothing was loaded",
                       ckpt_path(ck), optim_name(r.kind), optim_name(d->opt->kind));
    sv_opt_apply(d->opt, &r);
    return 0;
}

/* load_into(target, path) */
static int bs_load_into(bi_args *a, value *out)
{
    const char *path = NULL, *want = sv_kind_of(a->pos[0]);
    ckpt *ck;
    if (!want || strcmp(want, "history") == 0)
        return bi_fail(a, a->pos_nodes[0], "TypeError", "load_into() fills a network or an optimizer, "
                       "not %s (use x = load(file))", val_type_name(a->pos[0]));
    if (sv_path(a, 1, &path) < 0 || sv_read(a, path, &ck) < 0) return -1;
    int st;
    if (strcmp(ckpt_kind(ck), want) != 0)
        st = bi_fail(a, a->pos_nodes[0], "TypeError", "%s holds %s %s, not %s %s: nothing was loaded", path,
                     sv_article(ckpt_kind(ck)), ckpt_kind(ck), sv_article(want), want);
    else if (want[0] == 'n') st = sv_into_net(a, ck, a->pos[0]);
    else st = sv_into_opt(a, ck, AS_OBJ(a->pos[0])->data);
    ckpt_free(ck);
    if (st < 0) return -1;
    *out = NONE_VAL;
    return 0;
}

/* ---- seed ------------------------------------------------------------------------ */

/* seed(n): everything random that follows (randn, rand, randint, randn_like, layer
 * initialisation, the shuffling of train's mini-batches) draws from the session's one
 * generator, reseeded here. */
static int bs_seed(bi_args *a, value *out)
{
    double n;
    if (bi_num(a, 0, &n) < 0) return -1;
    if (n != floor(n) || n < 0 || n > 9007199254740992.0)
        return bi_fail(a, a->pos_nodes[0], "ValueError", "seed(n) needs a whole number from 0 to 2^53");
    tc_ctx *tc = tc_get(a->s, a->call);
    if (!tc) return -1;
    rng_seed(&tc->r, (uint64_t)n);
    *out = NONE_VAL;
    return 0;
}

static const char *const bs_load_kw[] = {"nets", NULL};
static const char *const bs_save_kw[] = {"dtype", "compress", NULL};

/* model_file(name): the path of a model shipped with Latent (share/models) */
static int bs_model_file(bi_args *a, value *out)
{
    if (!IS_STR(a->pos[0]))
        return bi_fail(a, a->pos_nodes[0], "TypeError", "model_file() takes a file name, not %s", val_type_name(a->pos[0]));
    const char *name = AS_STR(a->pos[0])->chars;
    if (!*name || strchr(name, '/'))
        return bi_fail(a, a->pos_nodes[0], "ValueError", "model_file() takes the name of a file in share/models, "
                       "without folders, e.g. \"diffusion-unet.ckpt\"");
    char path[4096];
    if (score_model_path(name, path, sizeof path) != LT_OK) {
        const char *msg = lt_errmsg();
        if (strncmp(msg, "score: ", 7) == 0) msg += 7;
        return bi_fail(a, a->pos_nodes[0], "IOError", "model_file: %s", msg);
    }
    val_str *str = val_str_new(path, strlen(path));
    if (!str) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = STR_VAL(str);
    return 0;
}

static const builtin bi_save_builtins[] = {
    {"model_file", "model_file(name)",
     "The path of a model file shipped with Latent (share/models: the scorer's classifier, the longer-trained "
     "diffusion U-Net), found in $LATENT_MODEL_DIR, the installed share/latent/models or the source tree; for load().",
     "u = load(model_file(\"diffusion-unet.ckpt\"))\nparams(u)  # => 184785", NULL, 1, 1, bs_model_file},
    {"save", "save(value, path, dtype=none, compress=false)",
     "Saves a network (architecture and weights; a `net` too, once called), an optimizer (kind, hyperparameters, step count, "
     "moments; not the networks' weights: save those too) or a training history to a checkpoint file "
     "(relative to the notebook's folder); a tensor to a .npy file, several (arrays(x=a, y=b), a list, a dataset) "
     "to a .npz file, in NumPy's format (float32; dtype=\"int64\", \"uint8\", \"bool\", ... for whole numbers; "
     "compress=true deflates a .npz). The file is written whole or not at all.",
     "m = seq(linear(2, 3), relu)\nsave(m, \"/tmp/latent-example-net.ckpt\")\n"
     "m2 = load(\"/tmp/latent-example-net.ckpt\")\n"
     "x = tensor([[1, -2]])\nsum(m2(x) == m(x))  # => 3",
     bs_save_kw, 2, 2, bs_save},
    {"load", "load(path, nets=none)",
     "Reads what save() wrote: a network (a new one, giving bit-identical outputs: any network of built-in "
     "layers, unet() included; a `net` goes back with load_into), a history, or an "
     "optimizer over the networks given as nets= (the same architectures, in the same order); a NumPy .npy "
     "file as a tensor, a .npz as arrays (d[\"x\"], keys(d)). A "
     "missing, corrupt or mismatched file is an error and nothing changes.",
     "h = linear(4, 2)\nopt = adam(h, lr=0.01)\nsave(opt, \"/tmp/latent-example-opt.ckpt\")\n"
     "load(\"/tmp/latent-example-opt.ckpt\", nets=h)\n"
     "# => Adam(lr=0.01, betas=[0.9, 0.999]) over 1 network, 10 parameters, 0 steps",
     bs_load_kw, 1, 1, bs_load},
    {"load_into", "load_into(target, path)",
     "Loads a saved network's weights into an existing network of the same architecture, or a saved "
     "optimizer's state into an existing optimizer over networks of the same shapes. All or nothing: "
     "on any mismatch the target keeps its values.",
     "a = linear(3, 2)\nb = linear(3, 2)\nsave(a, \"/tmp/latent-example-into.ckpt\")\n"
     "load_into(b, \"/tmp/latent-example-into.ckpt\")\nx = tensor([[1, 2, 3]])\nsum(a(x) == b(x))  # => 2",
     NULL, 2, 2, bs_load_into},
    {"seed", "seed(n)",
     "Reseeds the session's random generator: everything random that follows (randn, rand, randint, "
     "randn_like, the initial weights of new layers, the order of train's mini-batches) repeats "
     "exactly after the same seed. A fresh session starts as after seed(0).",
     "seed(1)\na = randn(3)\nseed(1)\nb = randn(3)\nsum(a == b)  # => 3", NULL, 1, 1, bs_seed},
    {0},
};

int lib_open_save(registry *r)
{
    return reg_open(r, bi_save_builtins);
}
