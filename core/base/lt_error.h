/* lt_error.h: how every core/ function reports failure.
 *
 * core/ never prints and never exits. A function that can fail returns an lt_status
 * (or NULL) and leaves a one-line message that the caller may show:
 *
 *     lt_status st = idx_read("x.gz", &img);
 *     if (st != LT_OK) show_to_user(lt_status_name(st), lt_errmsg());
 *
 * The message lives in a thread-local buffer that the next failure on the same
 * thread overwrites; copy it if it must outlive that.
 *
 * Beside the message, a failure keeps its kind and, where one argument is at fault, that
 * argument's index, so that a caller (the language) can name the error class and point at
 * the argument without reading the text:
 *
 *     lt_tensor *y = op_matmul(g, a, b);              // NULL: the status is kept too
 *     if (!y) show(lt_status_name(lt_errstatus()), lt_errmsg(), lt_errarg());
 *
 * What an argument index counts is said by each function that sets one (for most, the
 * position of its input among the inputs its header lists: info_kl's p is 0, q is 1). */
#ifndef LT_ERROR_H
#define LT_ERROR_H

typedef enum lt_status {
    LT_OK = 0,
    LT_ERR_VALUE,     /* an argument has the right type but a bad value   */
    LT_ERR_SHAPE,     /* tensor shapes do not fit together                */
    LT_ERR_TYPE,      /* the wrong kind of thing was given                */
    LT_ERR_INDEX,     /* an index or slice is out of range                */
    LT_ERR_IO,        /* a file could not be opened, read or written      */
    LT_ERR_FORMAT,    /* a file was read but its contents are malformed   */
    LT_ERR_NOMEM,     /* an allocation failed                             */
    LT_ERR_NUMERIC,   /* a NaN or infinity where a finite number is needed */
    LT_ERR_INTERRUPT  /* the user asked to stop                           */
} lt_status;

/* Records a printf-style message for the calling thread and returns st, so that
 * `return lt_fail(LT_ERR_SHAPE, "linear: expected (B,%d), got (%d,%d)", ...);`
 * both reports and returns. Messages longer than 1023 bytes are cut. */
lt_status lt_fail(lt_status st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Like lt_fail, naming the argument at fault (arg >= 0; -1: none). */
lt_status lt_fail_arg(lt_status st, int arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Names the argument at fault for the failure just reported (a check of one argument
 * among several, e.g. info_check_dist on q); returns st, so that
 * `return lt_fail_at(info_check_dist(who, "q", q, nq), 1);` passes LT_OK through. */
lt_status lt_fail_at(lt_status st, int arg);

/* The calling thread's last message ("" if none). Owned by core/: do not free. */
const char *lt_errmsg(void);
/* The status of the calling thread's last lt_fail (LT_OK if none): the kind of an error
 * that a function returning NULL reported. */
lt_status lt_errstatus(void);
/* The index of the argument at fault in the calling thread's last failure, or -1 (none
 * named; every lt_fail resets it). */
int lt_errarg(void);

/* A short, Python-like name for a status: "ValueError", "ShapeError", ... */
const char *lt_status_name(lt_status st);

#endif
