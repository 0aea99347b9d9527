/* ckpt.h: checkpoint files: named arrays and texts saved to disk and read back whole.
 *
 * A checkpoint is a kind ("network", "optimizer", "history", ...) and a list of named
 * records, each an f32, f64 or i64 array of 0 to 4 dimensions, or a UTF-8 text. The
 * language saves a network as its architecture text plus one f32 record per parameter
 * block, an optimizer as its kind, hyperparameters, step count and moments, a history
 * as named series. This module knows nothing of those meanings: it only stores records
 * and checks them.
 *
 *     ckpt_writer *w = ckpt_writer_new("network");              // NULL + lt_errmsg()
 *     int64_t shape[2] = { 256, 784 };
 *     if (!w || ckpt_add_text(w, "arch", "seq(linear(784, 256), relu)") != LT_OK
 *            || ckpt_add_f32(w, "0.weight", weight, 2, shape) != LT_OK
 *            || ckpt_write(w, "mlp.ckpt") != LT_OK)
 *         show(lt_errmsg());
 *     ckpt_writer_free(w);
 *
 *     ckpt *ck;
 *     const ckpt_rec *r;
 *     if (ckpt_read("mlp.ckpt", &ck) != LT_OK) return show(lt_errmsg());
 *     if (ckpt_get(ck, "0.weight", CKPT_F32, &r) == LT_OK
 *             && ckpt_check_shape(r, 2, shape, "load into linear(784, 256)") == LT_OK)
 *         memcpy(weight, r->data, r->count * sizeof(float));
 *     ckpt_free(ck);
 *
 * THE FORMAT, version 1. Every integer is little-endian; offsets are from the start of
 * the file; every string is stored as a u32 byte length, the UTF-8 bytes (no NUL among
 * them) and one 0 byte that the length does not count.
 *
 *   header    0    8  magic "LATENTCK"
 *             8    4  u32 format version (1)
 *            12    4  u32 R, the number of records
 *            16    8  u64 the size of the whole file in bytes, trailer included
 *   kind     24       string (1..255 bytes): "network", "optimizer", "history", ...
 *   records           R times, one after the other:
 *                     string  name (1..1024 bytes), unique in the file
 *                  1  u8 type: 1 f32, 2 f64, 3 i64, 4 text
 *                  1  u8 ndim: 0..4 (0 for a text)
 *                  2  u16 0 (reserved)
 *             8*ndim  i64 shape, outermost first, each >= 0
 *                  8  u64 N, the data's size in bytes: 4, 8 or 8 times the product of
 *                     the shape (1 for ndim 0) for arrays, the text's length for a text
 *                0-7  0 bytes, so that the data starts at a multiple of 8
 *                  N  data: IEEE-754 floats or doubles, or two's complement i64,
 *                     row-major; or the UTF-8 text, followed by one 0 byte
 *   trailer        4  u32 CRC-32 (zlib's crc32) of every byte before it
 *                  8  end marker "LTCK_END"
 *
 * A newer Latent that changes the layout raises the version; this one refuses files of
 * a version it does not know, saying which it reads.
 *
 * Failure. Every function that can fail returns an lt_status (or NULL) after lt_fail,
 * with a message that names the file, the record and the numbers involved:
 *   LT_ERR_IO      a file cannot be opened, read, written, synced or renamed (path + strerror);
 *   LT_ERR_FORMAT  not a checkpoint, a version newer than CKPT_VERSION, a truncated file
 *                  (bytes expected and found), a wrong checksum, a malformed record;
 *   LT_ERR_VALUE   a bad name, kind or text given to the writer (empty, too long, not
 *                  UTF-8, duplicate), a missing record;
 *   LT_ERR_TYPE    a record of another type than asked for;
 *   LT_ERR_SHAPE   a record whose shape or size differs from the destination's;
 *   LT_ERR_NOMEM   out of memory.
 * A failed call changes nothing: the writer keeps its records, the file on disk keeps
 * its old contents, the destination arrays keep their values, nothing leaks. Nothing
 * here prints or exits. */
#ifndef LT_CKPT_H
#define LT_CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "lt_error.h"
#include "param.h"

#define CKPT_VERSION 1        /* the newest format this Latent writes and reads */
#define CKPT_MAXDIM 4
#define CKPT_KIND_MAX 255     /* bytes */
#define CKPT_NAME_MAX 1024    /* bytes */

typedef enum ckpt_type { CKPT_F32 = 1, CKPT_F64 = 2, CKPT_I64 = 3, CKPT_TEXT = 4 } ckpt_type;

/* "f32", "f64", "i64", "text" ("?" for anything else). */
const char *ckpt_type_name(ckpt_type type);

/* ---- Writing ---------------------------------------------------------------------- */

typedef struct ckpt_writer ckpt_writer;

/* An empty checkpoint of the given kind (1..255 bytes of UTF-8). Owned by the caller
 * (ckpt_writer_free). NULL after lt_fail on a bad kind or out of memory. */
ckpt_writer *ckpt_writer_new(const char *kind);

/* Append an array record: data is (shape[0], ..., shape[ndim-1]) row-major, with
 * 0 <= ndim <= 4 (ndim 0 is one number; shape may then be NULL) and each shape[i] >= 0
 * (a 0 makes an empty array; data may then be NULL). The writer copies the data, so
 * the caller may change or free it right away. The name is 1..1024 bytes of UTF-8,
 * unique in the writer. On failure the writer is unchanged. */
lt_status ckpt_add_f32(ckpt_writer *w, const char *name, const float *data, int ndim,
                       const int64_t *shape);
lt_status ckpt_add_f64(ckpt_writer *w, const char *name, const double *data, int ndim,
                       const int64_t *shape);
lt_status ckpt_add_i64(ckpt_writer *w, const char *name, const int64_t *data, int ndim,
                       const int64_t *shape);

/* Append a text record (UTF-8, copied). On failure the writer is unchanged. */
lt_status ckpt_add_text(ckpt_writer *w, const char *name, const char *text);

/* Append params[i].w as a 1-D f32 record (params[i].n) named prefix + params[i].name,
 * for every block; prefix may be NULL or "". All or nothing: on failure (a NULL or
 * duplicate name, ...) none of the blocks is added. */
lt_status ckpt_add_params(ckpt_writer *w, const char *prefix, const lt_param *params,
                          int nparams);

/* Write the checkpoint to path: into a new file in the same directory, fsync'd, then
 * renamed over path (and the directory fsync'd). On failure the temporary file is
 * removed and whatever was at path (an older checkpoint, or nothing) is untouched.
 * The writer stays usable (write it elsewhere, or free it). While it runs, the new file
 * is visible as "PATH.tmp-PID-N"; a process killed at that moment leaves it behind (the
 * old file is still whole). A symbolic link at path is replaced, not written through. */
lt_status ckpt_write(const ckpt_writer *w, const char *path);

/* Frees w and its copies of the data; NULL is fine. */
void ckpt_writer_free(ckpt_writer *w);

/* ---- Reading ---------------------------------------------------------------------- */

typedef struct ckpt ckpt;

/* One record of a checkpoint read from disk. Owned by the ckpt: valid until ckpt_free,
 * do not free or write through its pointers. */
typedef struct ckpt_rec {
    const char *name;               /* NUL-terminated UTF-8                          */
    ckpt_type type;
    int ndim;                       /* 0..4; 0 for a text                            */
    int64_t shape[CKPT_MAXDIM];     /* (ndim) sizes, outermost first; the rest are 0 */
    size_t count;                   /* elements (product of the shape, 1 for ndim 0),
                                       or the text's length in bytes                 */
    const void *data;               /* (shape) const float / double / int64_t, aligned
                                       to 8, or the NUL-terminated text              */
} ckpt_rec;

/* Reads and verifies the whole file at path (magic, version, size, checksum, every
 * record's bounds, UTF-8 names, no duplicates) before returning anything. On success
 * *out is a new ckpt owned by the caller (ckpt_free). On failure *out is NULL and
 * nothing is allocated. */
lt_status ckpt_read(const char *path, ckpt **out);

/* The kind given to ckpt_writer_new; owned by ck. */
const char *ckpt_kind(const ckpt *ck);

/* The path it was read from; owned by ck. */
const char *ckpt_path(const ckpt *ck);

/* The number of records, and record i (0 <= i < count, in the order written; NULL when
 * out of range). */
size_t ckpt_count(const ckpt *ck);
const ckpt_rec *ckpt_at(const ckpt *ck, size_t i);

/* The record named name, or NULL (without a message: for optional records). */
const ckpt_rec *ckpt_find(const ckpt *ck, const char *name);

/* *rec = the record named name, which must have the given type. LT_ERR_VALUE when there
 * is none, LT_ERR_TYPE when it has another type; *rec is then NULL. */
lt_status ckpt_get(const ckpt *ck, const char *name, ckpt_type type, const ckpt_rec **rec);

/* LT_OK when rec is an array of exactly this shape, else LT_ERR_SHAPE with a message
 * "WHAT: 'NAME' is (256, 784), expected (128, 784)" (what may be NULL); LT_ERR_TYPE for a
 * text, LT_ERR_VALUE for a NULL rec (as ckpt_find returns for a missing one). Changes nothing:
 * check every record first, then copy, to load all or nothing. */
lt_status ckpt_check_shape(const ckpt_rec *rec, int ndim, const int64_t *shape, const char *what);

/* Copies the f32 record named prefix + params[i].name into params[i].w, for every block
 * (records not named by a block are ignored). Every block is checked first (present,
 * f32, params[i].n floats); if any fails, no block is written and the message names the
 * first that failed and how many did. The gradients are not touched. */
lt_status ckpt_load_params(const ckpt *ck, const char *prefix, const lt_param *params,
                           int nparams);

/* Frees ck and all its records; NULL is fine. */
void ckpt_free(ckpt *ck);

#endif
