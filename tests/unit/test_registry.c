/* test_registry.c: the registry the libraries open themselves into (registry.h):
 * a name registered twice is refused, overloads go by the first argument's type and not
 * by the order the libraries were opened in, and cross_entropy on lists and on tensors
 * reaches information theory's and the tensor one whatever that order (the tensor one
 * once fell back into itself, forever, when the order changed). */
#include <stdlib.h>
#include <string.h>

#include "bi_about.h"
#include "bi_base.h"
#include "bi_ema.h"
#include "bi_info.h"
#include "bi_net.h"
#include "bi_nn.h"
#include "bi_plot.h"
#include "bi_save.h"
#include "bi_score.h"
#include "bi_tensor.h"
#include "bi_train.h"
#include "buf.h"
#include "check.h"
#include "init.h"
#include "latent.h"
#include "registry.h"
#include "sess.h"

/* ---- a made-up pair of libraries: f(x) plain, and f on "thing" objects ------------- */

static void thing_free(void *data) { (void)data; }
static const val_type thing_type = { .name = "thing", .free = thing_free };

static int f_plain(bi_args *a, value *out) { (void)a; *out = NUM_VAL(1); return 0; }
static int f_thing(bi_args *a, value *out) { (void)a; *out = NUM_VAL(2); return 0; }

static const builtin lib_a[] = {
    {"f", "f(x)", "plain", "f(1)", NULL, 1, 1, f_plain},
    {0},
};
static const builtin lib_b[] = {
    {"f", "f(x)", "on things", NULL, NULL, 1, 1, f_thing},
    {0},
};

/* f(v) through the registry r, as the evaluator calls a builtin. */
static double call_f(registry *r, value v)
{
    lt_session s;
    memset(&s, 0, sizeof s);
    s.reg = r;
    ast_node call = { .kind = AST_CALL, .line = 1, .col = 1 };
    ast_node *nodes[1] = { &call };
    bi_args a = { &s, &call, 1, &v, nodes, 0, NULL, NULL };
    value out = NONE_VAL;
    const builtin *b = reg_find(r, "f");
    if (!b || reg_call(b, &a, &out) < 0 || !IS_NUM(out)) return -1;
    return AS_NUM(out);
}

static void test_overload_by_type_not_order(void)
{
    for (int order = 0; order < 2; order++) {
        registry r = {0};
        if (order == 0) CHECK(reg_open(&r, lib_a) == 0 && reg_open_on(&r, &thing_type, lib_b, 0) == 0);
        else CHECK(reg_open_on(&r, &thing_type, lib_b, 0) == 0 && reg_open(&r, lib_a) == 0);
        val_obj *o = val_obj_new(&thing_type, NULL);
        CHECK(o != NULL);
        CHECK(call_f(&r, NUM_VAL(5)) == 1);     /* a number: the plain f */
        CHECK(call_f(&r, OBJ_VAL(o)) == 2);     /* a thing: its overload */
        CHECK(reg_at(&r, 0) == &lib_a[0] && reg_at(&r, 1) == NULL);   /* the overload is not listed */
        val_decref(OBJ_VAL(o));
    }
}

static void test_twice_is_refused(void)
{
    registry r = {0};
    CHECK(reg_open(&r, lib_a) == 0);
    CHECK(reg_open(&r, lib_a) == -1);
    CHECK(strstr(r.clash, "builtin f is registered twice") != NULL);
    r.clash[0] = 0;
    CHECK(reg_open_on(&r, &thing_type, lib_b, 0) == 0);
    CHECK(reg_open_on(&r, &thing_type, lib_b, 1) == -1);
    CHECK(strstr(r.clash, "builtin f on thing is registered twice") != NULL);
    /* the libraries of a session open without a clash */
    registry all = {0};
    CHECK(lib_open_all(&all) == 0 && all.clash[0] == 0);
    CHECK(reg_stmt(&all, AST_TRAIN) && reg_stmt(&all, AST_STEP) && reg_stmt(&all, AST_LOG) && reg_stmt(&all, AST_NET));
    CHECK(reg_keyword_doc(&all, "train") && reg_keyword_doc(&all, "on") && reg_keyword_doc(&all, "net") &&
          reg_keyword_doc(&all, "for") && !reg_keyword_doc(&all, "log"));
}

/* ---- cross_entropy with the libraries opened in reverse ---------------------------- */

static buf out_text;
static char err_text[512];

static void h_result(void *ctx, const lt_output *o)
{
    (void)ctx;
    for (int i = 0; i < o->n_items; i++)
        if (strcmp(o->items[i].type, "text/plain") == 0) buf_add(&out_text, o->items[i].data, o->items[i].len);
}

static void h_error(void *ctx, const char *name, const char *value, const char *const *tb, int n)
{
    (void)ctx; (void)tb; (void)n;
    snprintf(err_text, sizeof err_text, "%s: %s", name, value);
}

/* The text a cell shows as its result (or its error). */
static const char *show(lt_session *s, const char *code)
{
    buf_clear(&out_text);
    err_text[0] = 0;
    if (lt_execute(s, code, 0) != LT_EXEC_OK) return err_text;
    buf_putc(&out_text, 0);
    return out_text.data;
}

static int (*const forward[])(registry *r) = {
    lib_open_base, lib_open_info, lib_open_plot, lib_open_tensor, lib_open_nn, lib_open_net,
    lib_open_train, lib_open_ema, lib_open_save, lib_open_score, lib_open_about,
};

static void test_cross_entropy_either_order(void)
{
    lt_host host = { .result = h_result, .error = h_error };
    size_t n = sizeof forward / sizeof forward[0];
    buf_init(&out_text);
    for (int order = 0; order < 2; order++) {
        lt_session *s = lt_session_new(&host);
        CHECK(s != NULL);
        if (!s) return;
        if (order == 1) {   /* the same libraries, opened last to first */
            memset(s->reg, 0, sizeof *s->reg);
            for (size_t i = n; i-- > 0;) CHECK(forward[i](s->reg) == 0);
        }
        CHECK_STR(show(s, "cross_entropy([1, 0, 0, 0], [0.5, 0.25, 0.125, 0.125])"), "1");
        CHECK_STR(show(s, "round(cross_entropy(tensor([[0, 0]]), tensor([1])), digits=4)"), "0.6931");
        /* neither implementation falls back to the other: a data set (numbers through
           to_floats, no tensor) goes to the plain one, which says what does not fit */
        CHECK_STR(show(s, "cross_entropy(moons(4), [1])"), "ValueError: 1:1: cross_entropy: p has 8 entries but q has 1; they must match");
        CHECK(strncmp(show(s, "cross_entropy(tensor([1, 2]), [1])"), "ShapeError", 10) == 0 ||
              strncmp(err_text, "ValueError", 10) == 0);
        CHECK_STR(show(s, "len(tensor([1, 2, 3]))"), "3");
        CHECK_STR(show(s, "len(moons(5))"), "5");
        lt_session_free(s);
    }
    buf_free(&out_text);
}

int main(void)
{
    RUN(test_overload_by_type_not_order);
    RUN(test_twice_is_refused);
    RUN(test_cross_entropy_either_order);
    return check_summary("registry");
}
