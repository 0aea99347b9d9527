/* value.h: the values of the Latent language.
 *
 * A value is a small tagged union passed by value. none, bool and number live in
 * it directly; strings, lists and objects live on the heap with a reference count.
 *
 *     value v = NUM_VAL(1.5);
 *     if (IS_NUM(v)) printf("%g\n", AS_NUM(v));
 *
 * Memory: reference counting. Whoever holds a value (a variable, a list slot, a
 * temporary in the evaluator) owns one reference; val_incref() takes another,
 * val_decref() drops one and frees the thing when none are left. Functions below
 * say when they take ("steals") or borrow a reference. There are no cycles: item
 * assignment refuses to put a list inside itself (eval.c). Freeing is iterative,
 * so a list nested a million deep (a linked list) frees without deep recursion;
 * printing and comparing stop at VAL_MAX_NEST levels.
 *
 * Extension: anything new (tensors, networks, optimizers, figures) is an object
 * (VAL_OBJ) with a val_type describing how to free, show and call it; the
 * evaluator core does not change when a new kind is added. */
#ifndef LANG_VALUE_H
#define LANG_VALUE_H

#include <stddef.h>

#include "buf.h"

typedef enum val_kind {
    VAL_NONE,
    VAL_BOOL,
    VAL_NUM,      /* every number is a double; integral ones print like ints */
    VAL_STR,      /* immutable UTF-8 bytes (may hold invalid UTF-8 from \xNN) */
    VAL_LIST,     /* mutable, shared by reference like Python lists */
    VAL_BUILTIN,  /* a builtin function (struct builtin below; registry.h) */
    VAL_OBJ       /* an extension object: tensor, network, figure, ... */
} val_kind;

typedef struct val_str {
    int rc;
    size_t len;      /* bytes */
    char chars[];    /* len bytes then a NUL */
} val_str;

struct value;
typedef struct val_list {
    int rc;
    size_t n, cap;
    struct value *items;   /* n owned values */
    struct val_list *next_free;   /* used only while freeing (iteratively, any depth) */
} val_list;

struct builtin;
struct bi_args;
struct lt_output;
struct lt_session;
struct ast_node;
struct val_index;

/* What an object kind knows about itself. Only name and free are required. */
typedef struct val_type {
    const char *name;                              /* type(x) and messages: "tensor" */
    void (*free)(void *data);                      /* frees data */
    void (*repr)(const void *data, buf *out);      /* text/plain summary; NULL: "<name>" */
    /* A rich display of the object (e.g. an image/png plus text/plain); fills *out
       with items that stay valid until the next call for this object, returns 0,
       or -1 when only text is available. NULL: text only. */
    int (*to_mime)(void *data, struct lt_output *out);
    /* Calling the object, as in enc(x): like a builtin (see registry.h). NULL:
       the object is not callable. */
    int (*call)(void *data, struct bi_args *args, struct value *out);
    /* The object's numbers, row-major, as a new malloc'd array of *n floats (the
       caller frees it), with its shape in shape[0..*ndim) (ndim <= 4): a tensor's
       elements, a training history's loss series. Returns NULL when the object has
       no numbers to give. NULL: never. Plots and tables read numbers through this,
       so they take tensors without knowing the tensor type. */
    float *(*to_floats)(void *data, size_t *n, int shape[4], int *ndim);
    /* a OP b (op: the operator's tok_kind, lex.h) when this object is a or b (for unary
       minus: a is the number 0). Stores a new reference in *out and returns 0, or
       records an error at `at` (sess_fail) and returns -1. NULL: no operators. */
    int (*binop)(struct lt_session *s, const struct ast_node *at, int op,
                 struct value a, struct value b, struct value *out);
    /* x[ix[0], ..., ix[n-1]] (entries are values or slices, see val_index); like
       binop for the result and errors. NULL: the object cannot be indexed. */
    int (*index)(struct lt_session *s, const struct ast_node *at, void *data,
                 const struct val_index *ix, int n, struct value *out);
} val_type;

/* A builtin function (VAL_BUILTIN): one entry of a library's table, registered with
 * the session (registry.h says how tables are opened and calls are checked). */
typedef struct builtin {
    const char *name;
    const char *signature;         /* "round(x, digits=0)" */
    const char *doc;               /* one paragraph */
    const char *example;           /* a cell with `# =>` expected output */
    const char *const *keywords;   /* NULL-terminated accepted keywords, or NULL */
    int min_args, max_args;        /* positional arguments; max_args -1: any number */
    int (*fn)(struct bi_args *a, struct value *out);
} builtin;

typedef struct val_obj {
    int rc;
    const val_type *type;
    void *data;      /* owned; freed by type->free */
} val_obj;

typedef struct value {
    val_kind kind;
    union {
        int b;
        double num;
        val_str *str;
        val_list *list;
        const struct builtin *fn;
        val_obj *obj;
    } as;
} value;

/* One entry of a subscript x[i, a:b, :]: a value (slice 0), or a slice whose start
 * and stop are numbers or none when left out (slice 1). Borrowed. */
typedef struct val_index {
    int slice;
    value v;              /* slice 0: the index */
    value start, stop;    /* slice 1 */
} val_index;

#define IS_NONE(v)    ((v).kind == VAL_NONE)
#define IS_BOOL(v)    ((v).kind == VAL_BOOL)
#define IS_NUM(v)     ((v).kind == VAL_NUM)
#define IS_STR(v)     ((v).kind == VAL_STR)
#define IS_LIST(v)    ((v).kind == VAL_LIST)
#define IS_BUILTIN(v) ((v).kind == VAL_BUILTIN)
#define IS_OBJ(v)     ((v).kind == VAL_OBJ)

#define AS_BOOL(v)    ((v).as.b)
#define AS_NUM(v)     ((v).as.num)
#define AS_STR(v)     ((v).as.str)
#define AS_LIST(v)    ((v).as.list)
#define AS_BUILTIN(v) ((v).as.fn)
#define AS_OBJ(v)     ((v).as.obj)

#define NONE_VAL       ((value){VAL_NONE, {.num = 0}})
#define BOOL_VAL(x)    ((value){VAL_BOOL, {.b = (x) != 0}})
#define NUM_VAL(x)     ((value){VAL_NUM, {.num = (x)}})
#define STR_VAL(s)     ((value){VAL_STR, {.str = (s)}})
#define LIST_VAL(l)    ((value){VAL_LIST, {.list = (l)}})
#define BUILTIN_VAL(f) ((value){VAL_BUILTIN, {.fn = (f)}})
#define OBJ_VAL(o)     ((value){VAL_OBJ, {.obj = (o)}})

/* Limits that keep a runaway cell from taking the machine down. */
#define VAL_LIST_MAX 10000000u      /* items in one list */
#define VAL_STR_MAX  (1u << 28)     /* bytes in one string */
#define VAL_MAX_NEST 1000           /* levels that repr and equality look into */

void val_incref(value v);
void val_decref(value v);

/* A new string holding a copy of s[0..n) with one reference, or NULL when memory
 * runs out or n > VAL_STR_MAX. */
val_str *val_str_new(const char *s, size_t n);
/* A new empty list with room for cap items, or NULL (out of memory / too long). */
val_list *val_list_new(size_t cap);
/* Appends v to l, taking v's reference. Returns 0, or -1 (out of memory or
 * VAL_LIST_MAX reached) in which case v has been released. */
int val_list_push(val_list *l, value v);
/* A new object owning data with one reference, or NULL (then data is freed). */
val_obj *val_obj_new(const val_type *type, void *data);

/* "number", "string", "list", ... or the object type's name. Static. */
const char *val_type_name(value v);
/* The article of val_type_name(v): "an" before a vowel (an optimizer, an ema), else "a". */
const char *val_a(value v);
/* Python's truthiness: none, false, 0, "" and [] are false. */
int val_truthy(value v);
/* Deep equality (numbers by value, strings by bytes, lists item by item). */
int val_equal(value a, value b);

/* Number text as Python prints a float, but integral values without ".0":
 * 3, 0.5, 1.75, 1e-05, 1e+20, inf, nan. out must hold 32 bytes. */
void val_format_num(double x, char out[32]);
/* repr: what a cell result shows ('s' quoted, lists with reprs inside); stops with
 * "..." once out holds more than 1 MiB. */
void val_repr(value v, buf *out);
/* str: what print shows (strings raw, everything else as repr). */
void val_str_of(value v, buf *out);

/* Number of UTF-8 code points in s[0..n) (invalid bytes count one each). */
size_t val_utf8_count(const char *s, size_t n);

#endif
