/* npy.h: NumPy's .npy and .npz files, read into float32 arrays and written from them.
 *
 * A .npy file is the magic "\x93NUMPY", a version (1.0, 2.0 or 3.0), the length of a
 * header, the header (a Python dict literal such as
 * "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }" padded with spaces and
 * a newline), then the elements in C (row-major) order. A .npz file is a zip archive of
 * .npy files (np.savez stores them, np.savez_compressed deflates them); entry "x.npy" is
 * the array named x.
 *
 *     npy_array a;
 *     if (npy_read("x.npy", &a) != LT_OK) return show(lt_errmsg());
 *     // a.ndim, a.shape[0 .. ndim), a.data: a.count floats; a.dtype: the file's type
 *     npy_free(&a);
 *
 *     npz_file z;
 *     if (npz_read("d.npz", &z) != LT_OK) return show(lt_errmsg());
 *     // z.names[i], z.arrays[i] for i < z.n, in the archive's order
 *     npz_free(&z);
 *
 * Element types. Latent's tensors are float32, so every array is read into floats:
 *   float32, bool, int8, uint8, int16, uint16, float16    exactly;
 *   int32, uint32, int64, uint64                           exactly when every element
 *        is within ±2^24 = 16,777,216 (float32 holds every whole number up to there,
 *        not beyond): a larger element is an error naming it, never a rounded value;
 *   float64                                                rounded to the nearest
 *        float32 (about 7 significant digits); NaN and ±inf stay; a finite element
 *        beyond float32's range (±3.4e38) is an error rather than an infinity.
 * Byte order: little-endian ('<'), big-endian ('>'), not applicable ('|') and native
 * ('=', read as little-endian: Latent runs on little-endian machines).
 * Anything else (complex, strings '<U', objects, structured or sub-array dtypes,
 * datetimes), Fortran order, more than NPY_MAXDIM dimensions, more than NPY_MAX_COUNT
 * elements, a truncated file or trailing bytes, and any header that is not exactly the
 * dict above (a key missing, repeated or unknown, bad syntax, a header longer than the
 * file) is an error: LT_ERR_FORMAT (or LT_ERR_IO when the file cannot be read,
 * LT_ERR_VALUE for an element float32 cannot hold), after lt_fail with a message
 * naming the file, and *out zeroed with nothing allocated.
 *
 * Writing converts the floats to the asked type: float32 as they are; float64
 * exactly; an integer type or bool only when every element is a whole number in the
 * type's range (0 or 1 for bool), else LT_ERR_VALUE naming the first bad element.
 * Files are version 1.0 (the header of a shape of at most NPY_MAXDIM dimensions always
 * fits its 65,535 bytes, so 2.0 is never needed), little-endian, the header padded so
 * that the data starts on a 64-byte boundary, as NumPy does. An .npz is written stored or deflated. Both are written to a temporary file
 * next to path and renamed, so path is written whole or not at all.
 *
 * core/ never prints: every failure is a status plus lt_errmsg(). */
#ifndef LT_NPY_H
#define LT_NPY_H

#include <stddef.h>

#include "lt_error.h"

#define NPY_MAXDIM 4                        /* Latent's tensors have at most 4 dims */
#define NPY_MAX_COUNT ((size_t)1 << 27)     /* elements in one array, as a tensor */
#define NPZ_MAX_ARRAYS 1024                 /* arrays in one .npz */
#define NPZ_NAME_MAX 256                    /* bytes in an array's name */

typedef enum npy_dtype {
    NPY_BOOL, NPY_INT8, NPY_UINT8, NPY_INT16, NPY_UINT16, NPY_INT32, NPY_UINT32,
    NPY_INT64, NPY_UINT64, NPY_FLOAT16, NPY_FLOAT32, NPY_FLOAT64
} npy_dtype;

typedef struct npy_array {
    int ndim;                 /* 0 (a scalar) .. NPY_MAXDIM                  */
    int shape[NPY_MAXDIM];    /* shape[0 .. ndim); the rest are 1             */
    size_t count;             /* the product of the shape (1 for a scalar)   */
    npy_dtype dtype;          /* the type the file held                      */
    float *data;              /* (count) row-major; owned (npy_free)         */
} npy_array;

typedef struct npz_file {
    int n;                    /* arrays                                      */
    char **names;             /* (n) "x" for the entry "x.npy"; owned        */
    npy_array *arrays;        /* (n) owned                                   */
} npz_file;

/* NumPy's name of a type: "float32", "int64", "bool", ... Static. */
const char *npy_dtype_name(npy_dtype t);
/* The type called name ("float32", "int64", "uint8", "bool", ...). LT_ERR_VALUE
 * (after lt_fail listing the names) when there is none. */
lt_status npy_dtype_from_name(const char *name, npy_dtype *t);

/* Reads the .npy file at path. On success the caller owns out->data (npy_free). */
lt_status npy_read(const char *path, npy_array *out);
/* Parses the bytes of a .npy file, buf[0 .. n); `what` names it in messages. */
lt_status npy_parse(const unsigned char *buf, size_t n, const char *what, npy_array *out);

/* Writes a (its floats, shape and ndim; a->dtype is ignored) to path as type t. */
lt_status npy_write(const char *path, const npy_array *a, npy_dtype t);
/* The bytes of that file, in a new malloc'd buffer *out of *n bytes (caller frees). */
lt_status npy_encode(const npy_array *a, npy_dtype t, unsigned char **out, size_t *n);

/* Reads the .npz file at path: every entry must be a readable .npy (see the types
 * above), stored or deflated. The caller owns *out (npz_free). */
lt_status npz_read(const char *path, npz_file *out);
/* Parses the bytes of a .npz file, buf[0 .. n). */
lt_status npz_parse(const unsigned char *buf, size_t n, const char *what, npz_file *out);

/* Writes arrays[0 .. n) named names[i] (entries "NAME.npy"; names non-empty, unique,
 * at most NPZ_NAME_MAX - 5 bytes, without '/') as types[i], deflated when deflate. */
lt_status npz_write(const char *path, const char *const *names, const npy_array *arrays,
                    const npy_dtype *types, int n, int deflate);

/* Free the data and zero the struct; safe on a zeroed or already freed one. */
void npy_free(npy_array *a);
void npz_free(npz_file *z);

#endif
