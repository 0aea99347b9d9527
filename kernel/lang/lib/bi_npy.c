/* bi_npy.c: save/load of NumPy's .npy and .npz files, the arrays value, arrays() and
 * keys() (see bi_npy.h). */
#include "bi_npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "args.h"
#include "bi_nn.h"
#include "bi_tensor.h"
#include "data.h"
#include "diag.h"
#include "npy.h"

enum { NP_NONE, NP_NPY, NP_NPZ };

static int np_ext(const char *path, const char *ext)
{
    size_t n = strlen(path);
    return n > 4 && strcasecmp(path + n - 4, ext) == 0;
}

/* NP_NPY or NP_NPZ by the path's extension, else by the file's first bytes. */
static int np_kind(const char *path)
{
    if (np_ext(path, ".npy")) return NP_NPY;
    if (np_ext(path, ".npz")) return NP_NPZ;
    unsigned char m[6] = {0};
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(m, 1, sizeof m, f) : 0;
    if (f) fclose(f);
    if (got == 6 && memcmp(m, "\x93NUMPY", 6) == 0) return NP_NPY;
    if (got >= 4 && (memcmp(m, "PK\x03\x04", 4) == 0 || memcmp(m, "PK\x05\x06", 4) == 0)) return NP_NPZ;
    return NP_NONE;
}

int npy_val_is_file(const char *path)
{
    return np_kind(path) != NP_NONE;
}

static int np_fail(bi_args *a, lt_status st)
{
    return bi_fail(a, NULL, lt_status_name(st), "%s", lt_errmsg());
}

/* ---- the arrays value ------------------------------------------------------------ */

static void ar_free(void *data)
{
    npz_free(data);
    free(data);
}

static void ar_repr(const void *data, buf *out)
{
    const npz_file *z = data;
    buf_printf(out, "arrays:");
    for (int i = 0; i < z->n && i < 32; i++) {
        char sh[64];
        buf_printf(out, "%s %s %s %s", i ? "," : "", z->names[i],
                   tensor_dims_str(z->arrays[i].ndim, z->arrays[i].shape, sh, sizeof sh),
                   npy_dtype_name(z->arrays[i].dtype));
    }
    if (z->n > 32) buf_printf(out, ", ... (%d arrays)", z->n);
    if (z->n == 0) buf_puts(out, " none");
}

/* A new tensor value holding a copy of arr (a number for a () array, as Latent's
 * scalar results are). */
static int np_tensor(lt_session *s, const ast_node *at, const npy_array *arr, value *out)
{
    if (!tc_get(s, at)) return -1;
    lt_tensor *t = graph_tensor(s->tc->g, arr->ndim, arr->shape);
    if (!t) return tv_fail(s, at);
    if (arr->count) memcpy(t->data, arr->data, arr->count * sizeof(float));
    return tv_result(s, at, t, out);
}

static int ar_bad_name(lt_session *s, const ast_node *at, const npz_file *z, const char *key)
{
    const char *best = NULL;
    int best_d = 1000, d = 0;
    buf names;
    buf_init(&names);
    for (int i = 0; i < z->n; i++) {
        if ((strcasecmp(key, z->names[i]) == 0 || (strlen(key) > 2 && diag_close(key, z->names[i], &d))) && d < best_d) {
            best = z->names[i];
            best_d = strcasecmp(key, z->names[i]) == 0 ? -1 : d;
        }
        if (i < 16) buf_printf(&names, "%s%s", i ? ", " : "", z->names[i]);
    }
    int st = best ? sess_fail(s, at, "ValueError", "these arrays have no '%s'; did you mean '%s'?", key, best)
                  : sess_fail(s, at, "ValueError", "these arrays have no '%s' (they have %s%s)", key,
                              z->n ? names.data : "none", z->n > 16 ? ", ..." : "");
    buf_free(&names);
    return st;
}

/* d["x"] (by name) or d[0] (by position): a tensor */
static int ar_index(lt_session *s, const ast_node *at, void *data, const val_index *ix, int n, value *out)
{
    const npz_file *z = data;
    if (n != 1 || ix[0].slice || !(IS_STR(ix[0].v) || IS_NUM(ix[0].v)))
        return sess_fail(s, at, "TypeError", "arrays are indexed by a name, d[\"x\"], or a position, d[0]");
    if (IS_STR(ix[0].v)) {
        for (int i = 0; i < z->n; i++)
            if (strcmp(z->names[i], AS_STR(ix[0].v)->chars) == 0) return np_tensor(s, at, &z->arrays[i], out);
        return ar_bad_name(s, at, z, AS_STR(ix[0].v)->chars);
    }
    double k = AS_NUM(ix[0].v);
    if (k != (long)k || k < -z->n || k >= z->n)
        return sess_fail(s, at, "IndexError", "position %g is out of range for %d arrays", k, z->n);
    return np_tensor(s, at, &z->arrays[k < 0 ? (long)k + z->n : (long)k], out);
}

static int ar_len(bi_args *a, value *out)
{
    *out = NUM_VAL(((const npz_file *)AS_OBJ(a->pos[0])->data)->n);
    return 0;
}

static const builtin ar_methods[] = {
    {"len", "len(arrays)", "The number of arrays.", NULL, NULL, 1, 1, ar_len},
    {0},
};

static const val_type ar_type = {
    .name = "arrays", .free = ar_free, .repr = ar_repr, .index = ar_index,
};

static int ar_is(value v)
{
    return IS_OBJ(v) && AS_OBJ(v)->type == &ar_type;
}

/* A new arrays value owning z (freed on failure). */
static int ar_new(bi_args *a, npz_file *z, value *out)
{
    npz_file *h = malloc(sizeof *h);
    if (!h) { npz_free(z); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    *h = *z;
    val_obj *o = val_obj_new(&ar_type, h);
    if (!o) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = OBJ_VAL(o);
    return 0;
}

/* ---- values to arrays ------------------------------------------------------------ */

/* The numbers of v (a tensor, a number or a nested list) as a float32 array. */
static int np_of_value(bi_args *a, value v, const ast_node *at, npy_array *out)
{
    lt_tensor *t;
    memset(out, 0, sizeof *out);
    if (!tc_get(a->s, at)) return -1;
    if (!tv_is(v) && !IS_NUM(v) && !IS_LIST(v))
        return bi_fail(a, at, "TypeError", "a NumPy file holds tensors, not %s", val_type_name(v));
    if (tv_arg(a->s, at, v, &t) < 0) return -1;
    out->ndim = t->ndim;
    for (int i = 0; i < NPY_MAXDIM; i++) out->shape[i] = i < t->ndim ? t->shape[i] : 1;
    out->count = tensor_numel(t);
    out->dtype = NPY_FLOAT32;
    out->data = malloc((out->count ? out->count : 1) * sizeof(float));
    if (!out->data) return bi_fail(a, NULL, "MemoryError", "out of memory");
    tensor_copy_out(t, out->data);
    return 0;
}

/* Room for n arrays in z. */
static int np_alloc(bi_args *a, npz_file *z, int n)
{
    memset(z, 0, sizeof *z);
    z->names = calloc((size_t)(n ? n : 1), sizeof *z->names);
    z->arrays = calloc((size_t)(n ? n : 1), sizeof *z->arrays);
    if (!z->names || !z->arrays) { npz_free(z); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    return 0;
}

/* Adds a copy of name and arr (taken over) as the next array of z. */
static int np_push(bi_args *a, npz_file *z, const char *name, npy_array *arr)
{
    size_t len = strlen(name);
    char *copy = malloc(len + 1);
    if (!copy) { npy_free(arr); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    memcpy(copy, name, len + 1);
    z->names[z->n] = copy;
    z->arrays[z->n++] = *arr;
    return 0;
}

/* A data set as x (n, d...) float32 and y: labels (n) int64 or targets (n, ...) float32. */
static int np_of_dataset(bi_args *a, const lt_dataset *d, npz_file *z)
{
    npy_array x = { .ndim = 2, .shape = {d->n, d->d, 1, 1}, .count = (size_t)d->n * (size_t)d->d, .dtype = NPY_FLOAT32 };
    int ny = d->y || data_has_targets(d);
    if (np_alloc(a, z, 2) < 0) return -1;
    data_sample_shape(d, &x.ndim, x.shape);
    x.data = malloc((x.count ? x.count : 1) * sizeof(float));
    if (!x.data) { npz_free(z); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    if (x.count) memcpy(x.data, d->x, x.count * sizeof(float));
    if (np_push(a, z, "x", &x) < 0 || !ny) return 0;
    npy_array y = { .ndim = 1, .shape = {d->n, 1, 1, 1}, .count = (size_t)d->n, .dtype = NPY_INT64 };
    if (!d->y) {
        data_target_shape(d, &y.ndim, y.shape);
        y.count = (size_t)d->n * (size_t)d->k;
        y.dtype = NPY_FLOAT32;
    }
    y.data = malloc((y.count ? y.count : 1) * sizeof(float));
    if (!y.data) { npz_free(z); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    for (size_t i = 0; i < y.count; i++) y.data[i] = d->y ? (float)d->y[i] : d->t[i];
    return np_push(a, z, "y", &y);
}

/* The arrays that save(v, "f.npz") writes: an arrays value's (copied), a list's
 * (arr_0, arr_1, ... as np.savez(f, a, b)), a dataset's (x, y), or one tensor (arr_0). */
static int np_collect(bi_args *a, value v, npz_file *z)
{
    const ast_node *at = a->pos_nodes[0];
    if (ar_is(v)) {
        const npz_file *src = AS_OBJ(v)->data;
        if (np_alloc(a, z, src->n) < 0) return -1;
        for (int i = 0; i < src->n; i++) {
            npy_array c = src->arrays[i];
            c.data = malloc((c.count ? c.count : 1) * sizeof(float));
            if (!c.data) { npz_free(z); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
            if (c.count) memcpy(c.data, src->arrays[i].data, c.count * sizeof(float));
            if (np_push(a, z, src->names[i], &c) < 0) { npz_free(z); return -1; }
        }
        return 0;
    }
    if (dv_is(v)) return np_of_dataset(a, AS_OBJ(v)->data, z);
    int n = IS_LIST(v) ? (int)AS_LIST(v)->n : 1;
    if (n > NPZ_MAX_ARRAYS) return bi_fail(a, at, "ValueError", "a .npz holds at most %d arrays", NPZ_MAX_ARRAYS);
    if (np_alloc(a, z, n) < 0) return -1;
    for (int i = 0; i < n; i++) {
        char name[32];
        npy_array arr;
        snprintf(name, sizeof name, "arr_%d", i);
        if (np_of_value(a, IS_LIST(v) ? AS_LIST(v)->items[i] : v, at, &arr) < 0 || np_push(a, z, name, &arr) < 0) {
            npz_free(z);
            return -1;
        }
    }
    return 0;
}

/* ---- save and load ---------------------------------------------------------------- */

int npy_val_wants(const bi_args *a)
{
    value v = a->pos[0];
    if (a->nkw || tv_is(v) || ar_is(v)) return 1;
    return IS_STR(a->pos[1]) && (np_ext(AS_STR(a->pos[1])->chars, ".npy") || np_ext(AS_STR(a->pos[1])->chars, ".npz"));
}

/* dtype= (every array, when given) and compress=. */
static int np_save_kw(bi_args *a, int kind, int *have_t, npy_dtype *t, int *deflate)
{
    const char *name;
    const ast_node *at;
    if (bi_kw_text(a, "dtype", NULL, &name) < 0 || bi_kw_bool(a, "compress", 0, deflate) < 0) return -1;
    *have_t = name != NULL;
    if (name && npy_dtype_from_name(name, t) != LT_OK) {
        bi_kw(a, "dtype", &at);
        return bi_fail(a, at, "ValueError", "%s", lt_errmsg() + strlen("npy: "));
    }
    if (bi_kw(a, "compress", &at) && kind != NP_NPZ)
        return bi_fail(a, at, "TypeError", "compress= is for .npz files (a zip archive); a .npy is never compressed");
    return 0;
}

int npy_val_save(bi_args *a, value *out)
{
    value v = a->pos[0];
    const char *path = IS_STR(a->pos[1]) ? AS_STR(a->pos[1])->chars : "";
    int kind = np_ext(path, ".npy") ? NP_NPY : np_ext(path, ".npz") ? NP_NPZ : NP_NONE;
    if (!IS_STR(a->pos[1]) || !*path)
        return bi_fail(a, a->pos_nodes[1], "TypeError", "a file name must be a non-empty string, not %s",
                       IS_STR(a->pos[1]) ? "\"\"" : val_type_name(a->pos[1]));
    if (kind == NP_NONE && (tv_is(v) || ar_is(v)))
        return bi_fail(a, a->pos_nodes[1], "ValueError", "a %s is saved in NumPy's format: give a file name ending "
                       "in .npy (one tensor) or .npz (several)", val_type_name(v));
    if (kind == NP_NONE)
        return bi_fail(a, a->kw_keys[0], "TypeError", "dtype= and compress= are for tensors saved to .npy or .npz files");
    if (kind == NP_NPY && (ar_is(v) || dv_is(v) || (IS_LIST(v) && AS_LIST(v)->n && tv_is(AS_LIST(v)->items[0]))))
        return bi_fail(a, a->pos_nodes[0], "TypeError", "a .npy file holds one tensor; save %s to a .npz file",
                       dv_is(v) ? "a dataset (samples and labels)" : "several");
    int have_t = 0, deflate = 0;
    npy_dtype t = NPY_FLOAT32;
    if (np_save_kw(a, kind, &have_t, &t, &deflate) < 0) return -1;
    npz_file z;
    if (kind == NP_NPY) {
        if (np_alloc(a, &z, 1) < 0) return -1;
        npy_array arr;
        if (np_of_value(a, v, a->pos_nodes[0], &arr) < 0 || np_push(a, &z, "arr_0", &arr) < 0) { npz_free(&z); return -1; }
    } else if (np_collect(a, v, &z) < 0) return -1;
    if (!a->s->tc->training) tc_reset(a->s);
    npy_dtype *types = malloc((size_t)(z.n ? z.n : 1) * sizeof *types);
    lt_status st = types ? LT_OK : lt_fail(LT_ERR_NOMEM, "out of memory");
    for (int i = 0; types && i < z.n; i++)
        types[i] = have_t ? t : z.arrays[i].dtype == NPY_FLOAT16 ? NPY_FLOAT32 : z.arrays[i].dtype;
    if (st == LT_OK && kind == NP_NPY) st = npy_write(path, &z.arrays[0], types[0]);
    else if (st == LT_OK) st = npz_write(path, (const char *const *)z.names, z.arrays, types, z.n, deflate);
    free(types);
    npz_free(&z);
    if (st != LT_OK) return np_fail(a, st);
    *out = NONE_VAL;
    return 0;
}

int npy_val_load(bi_args *a, value *out)
{
    const char *path = AS_STR(a->pos[0])->chars;
    const ast_node *at;
    if (bi_kw(a, "nets", &at))
        return bi_fail(a, at, "TypeError", "nets= is for optimizer files; %s is a NumPy file", path);
    if (np_kind(path) == NP_NPY) {
        npy_array arr;
        lt_status st = npy_read(path, &arr);
        if (st != LT_OK) return np_fail(a, st);
        int rc = np_tensor(a->s, a->call, &arr, out);
        npy_free(&arr);
        return rc;
    }
    npz_file z;
    lt_status st = npz_read(path, &z);
    if (st != LT_OK) return np_fail(a, st);
    return ar_new(a, &z, out);
}

/* ---- builtins --------------------------------------------------------------------- */

/* arrays(name=tensor, ...) */
static int bnp_arrays(bi_args *a, value *out)
{
    npz_file z;
    if (np_alloc(a, &z, a->nkw) < 0) return -1;
    for (int i = 0; i < a->nkw; i++) {
        npy_array arr;
        if (np_of_value(a, a->kw[i], a->kw_keys[i], &arr) < 0 || np_push(a, &z, a->kw_keys[i]->text, &arr) < 0) {
            npz_free(&z);
            return -1;
        }
    }
    if (!a->s->tc->training) tc_reset(a->s);
    return ar_new(a, &z, out);
}

/* keys(arrays): the names, in order */
static int bnp_keys(bi_args *a, value *out)
{
    if (!ar_is(a->pos[0]))
        return bi_fail(a, a->pos_nodes[0], "TypeError", "keys() takes arrays (what load(\"f.npz\") gives), not %s",
                       val_type_name(a->pos[0]));
    const npz_file *z = AS_OBJ(a->pos[0])->data;
    val_list *l = val_list_new((size_t)z->n);
    for (int i = 0; l && i < z->n; i++) {
        val_str *s = val_str_new(z->names[i], strlen(z->names[i]));
        if (!s || val_list_push(l, STR_VAL(s)) < 0) { val_decref(LIST_VAL(l)); l = NULL; }
    }
    if (!l) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = LIST_VAL(l);
    return 0;
}

static const builtin bi_npy_builtins[] = {
    {"arrays", "arrays(name=tensor, ...)",
     "Named tensors, as a .npz file holds them: save(arrays(x=xs, y=ys), \"d.npz\") writes them in NumPy's "
     "format, load(\"d.npz\") gives them back; d[\"x\"] (or d[0]) is one as a tensor, keys(d) their names, "
     "len(d) their number.",
     "d = arrays(x=ones(2, 3), y=tensor([1, 0]))\nprint(d)  # => arrays: x (2, 3) float32, y (2) float32\n"
     "print(keys(d), shape(d[\"x\"]))  # => ['x', 'y'] [2, 3]",
     reg_any_keywords, 0, 0, bnp_arrays},
    {"keys", "keys(arrays)", "The names of arrays (what load of a .npz file gives), in the file's order.",
     "save([ones(2), zeros(3)], \"/tmp/latent-example-keys.npz\")\n"
     "keys(load(\"/tmp/latent-example-keys.npz\"))  # => ['arr_0', 'arr_1']",
     NULL, 1, 1, bnp_keys},
    {0},
};

int lib_open_npy(registry *r)
{
    return reg_open(r, bi_npy_builtins) < 0 || reg_open_on(r, &ar_type, ar_methods, 0) < 0 ? -1 : 0;
}
