/* bi_npy.h: tensors in and out through NumPy's .npy and .npz files (core/data/npy.h), and
 * the `arrays` value (named tensors, what a .npz holds).
 *
 *     save(t, "x.npy")                       a tensor (float32; dtype="int64" etc.)
 *     t = load("x.npy")                      a tensor
 *     save(arrays(x=a, y=b), "d.npz")        named tensors; compress=true deflates
 *     save([a, b], "d.npz")                  arr_0, arr_1, as np.savez(f, a, b)
 *     save(data, "d.npz")                    a dataset: x, and y (labels as int64, or targets)
 *     d = load("d.npz"); d["x"]; keys(d)     an arrays value
 *
 * save() and load() (bi_save.c) hand over to npy_val_save / npy_val_load when the
 * file is one of these (npy_val_wants / npy_val_is_file). Errors change nothing: no
 * variable is bound and a file is written whole or not at all. */
#ifndef LANG_BI_NPY_H
#define LANG_BI_NPY_H

#include "registry.h"

/* Whether save(a->pos[0], a->pos[1]) is for this module: the value is a tensor or an
 * arrays value, or the path ends in .npy or .npz. */
int npy_val_wants(const bi_args *a);
/* Whether path names a .npy/.npz file: by its extension, else by its first bytes. */
int npy_val_is_file(const char *path);

/* save(value, path, dtype=, compress=) and load(path) for these files. */
int npy_val_save(bi_args *a, value *out);
int npy_val_load(bi_args *a, value *out);

/* Registers arrays() and keys(), and len() of an arrays value (registry.h). */
int lib_open_npy(registry *r);

#endif
