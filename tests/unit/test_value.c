/* test_value.c: values: reference counting, equality, truthiness, repr, and
 * the extension point: a new object type (here a toy "counter") plugs into the
 * evaluator, printing, calls and rich display without touching eval.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "registry.h"
#include "check.h"
#include "latent.h"
#include "sess.h"
#include "value.h"

static int frees;

typedef struct counter { double count; } counter;

static void counter_free(void *data) { frees++; free(data); }

static void counter_repr(const void *data, buf *out)
{
    buf_printf(out, "<counter at %g>", ((const counter *)data)->count);
}

static int counter_to_mime(void *data, lt_output *out)
{
    static lt_mime items[2];
    static char text[64];
    snprintf(text, sizeof text, "counter %g", ((counter *)data)->count);
    items[0] = (lt_mime){"text/html", "<b>counter</b>", 14};
    items[1] = (lt_mime){"text/plain", text, strlen(text)};
    out->items = items;
    out->n_items = 2;
    return 0;
}

/* c(n): adds n and returns the new count */
static int counter_call(void *data, bi_args *a, value *out)
{
    double n = 0;
    if (a->npos != 1) return bi_fail(a, NULL, "TypeError", "a counter takes 1 argument (%d given)", a->npos);
    if (bi_num(a, 0, &n) < 0) return -1;
    ((counter *)data)->count += n;
    *out = NUM_VAL(((counter *)data)->count);
    return 0;
}

static const val_type counter_type = {
    .name = "counter", .free = counter_free, .repr = counter_repr,
    .to_mime = counter_to_mime, .call = counter_call};

static char last_result[256], last_types[128], last_out[256], last_error[256];

static void h_result(void *ctx, const lt_output *o)
{
    (void)ctx;
    last_types[0] = 0;
    for (int i = 0; i < o->n_items; i++) { strcat(last_types, o->items[i].type); strcat(last_types, " "); }
    snprintf(last_result, sizeof last_result, "%.*s", (int)o->items[o->n_items - 1].len,
             (const char *)o->items[o->n_items - 1].data);
}

static void h_stream(void *ctx, int e, const char *t, size_t n)
{
    (void)ctx; (void)e;
    snprintf(last_out, sizeof last_out, "%.*s", (int)n, t);
}

static void h_error(void *ctx, const char *n, const char *v, const char *const *tb, int k)
{
    (void)ctx; (void)tb; (void)k;
    snprintf(last_error, sizeof last_error, "%s: %s", n, v);
}

static void test_object_type(void)
{
    lt_host host = {.result = h_result, .stream = h_stream, .error = h_error};
    lt_session *s = lt_session_new(&host);
    counter *c = calloc(1, sizeof *c);
    CHECK(env_set(s->globals, "c", OBJ_VAL(val_obj_new(&counter_type, c))) == 0);
    CHECK(lt_execute(s, "c", 0) == LT_EXEC_OK);
    CHECK_STR(last_types, "text/html text/plain ");
    CHECK_STR(last_result, "counter 0");
    CHECK(lt_execute(s, "c(2) + c(3)", 0) == LT_EXEC_OK);
    CHECK_STR(last_result, "7");
    lt_execute(s, "print(c, type(c))", 0);
    CHECK_STR(last_out, "<counter at 5> counter\n");
    lt_execute(s, "d = [c, c]; c = 0; d[0](1)", 0);   /* the list keeps it alive */
    CHECK_STR(last_result, "6");
    CHECK(frees == 0);
    CHECK(lt_execute(s, "d[1](\"x\")", 0) == LT_EXEC_ERROR);
    CHECK_STR(last_error, "TypeError: 1:6: argument 1 must be a number, not string");
    lt_execute(s, "d = 0", 0);                          /* the last reference goes */
    CHECK(frees == 1);
    lt_session_free(s);
}

static void test_refcounts(void)
{
    val_list *l = val_list_new(0);
    val_str *str = val_str_new("ab", 2);
    CHECK(l && str);
    value sv = STR_VAL(str);
    val_incref(sv);
    CHECK(val_list_push(l, sv) == 0);
    CHECK(str->rc == 2);
    val_decref(LIST_VAL(l));
    CHECK(str->rc == 1);
    val_decref(sv);
    CHECK(val_str_new("x", (size_t)VAL_STR_MAX + 1) == NULL);
    CHECK(val_list_new((size_t)VAL_LIST_MAX + 1) == NULL);
}

static void test_equal_truthy_repr(void)
{
    val_str *a = val_str_new("it's", 4);
    buf b;
    buf_init(&b);
    val_repr(STR_VAL(a), &b);
    CHECK_STR(b.data, "\"it's\"");
    buf_clear(&b);
    val_str_of(STR_VAL(a), &b);
    CHECK_STR(b.data, "it's");
    CHECK(val_truthy(STR_VAL(a)) && !val_truthy(NUM_VAL(0)) && !val_truthy(NONE_VAL) && val_truthy(BOOL_VAL(1)));
    CHECK(val_equal(NUM_VAL(1), NUM_VAL(1)) && !val_equal(NUM_VAL(1), BOOL_VAL(1)));
    registry r = {0};
    CHECK(lib_open_all(&r) == 0);
    CHECK_STR(val_type_name(BUILTIN_VAL(reg_find(&r, "len"))), "builtin");
    CHECK(val_utf8_count("naïve", strlen("naïve")) == 5);
    buf_free(&b);
    val_decref(STR_VAL(a));
}

/* Whether keyword kw is among b's keywords. */
static int takes(const builtin *b, const char *kw, size_t n)
{
    for (const char *const *k = b->keywords; k && *k; k++)
        if (strlen(*k) == n && strncmp(*k, kw, n) == 0) return 1;
    return 0;
}

/* Every builtin's signature (what help and the reference show) names exactly the
 * keywords the builtin takes: each `name=` of the signature is accepted, and each
 * accepted keyword is written `name=` in it (conv2d's padding= is not shown as pad=). */
static void test_signatures_name_keywords(void)
{
    static registry r;
    CHECK(lib_open_all(&r) == 0);
    for (size_t i = 0; reg_at(&r, i); i++) {
        const builtin *b = reg_at(&r, i);
        if (b->keywords == reg_any_keywords) continue;
        const char *sig = b->signature;
        for (const char *p = strchr(sig, '='); p; p = strchr(p + 1, '=')) {
            if (p[1] == '=' || p[-1] == '=' || p[-1] == '!' || p[-1] == '<' || p[-1] == '>') { p++; continue; }
            const char *w = p;
            while (w > sig && (isalnum((unsigned char)w[-1]) || w[-1] == '_')) w--;
            if (w == p) continue;
            int index = 0;   /* which parameter of its form: a positional one may show its default */
            for (const char *c = p; c > sig && c[-1] != '('; c--) index += c[-1] == ',';
            if (index < b->max_args || b->max_args < 0) continue;
            if (!takes(b, w, (size_t)(p - w))) {
                fprintf(stderr, "  %s: the signature %s shows %.*s=, which it does not take\n", b->name, sig, (int)(p - w), w);
                CHECK(0);
            }
        }
        for (const char *const *k = strstr(sig, "...") ? NULL : b->keywords; k && *k; k++) {
            char want[64];
            snprintf(want, sizeof want, "%s=", *k);
            const char *at = strstr(sig, want);
            while (at && at > sig && (isalnum((unsigned char)at[-1]) || at[-1] == '_')) at = strstr(at + 1, want);
            if (!at) {
                fprintf(stderr, "  %s: takes %s=, which its signature %s does not show\n", b->name, *k, sig);
                CHECK(0);
            }
        }
    }
}

int main(void)
{
    RUN(test_signatures_name_keywords);
    RUN(test_object_type);
    RUN(test_refcounts);
    RUN(test_equal_truthy_repr);
    return check_summary("value");
}
