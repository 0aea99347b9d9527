/* lt_error.h: how every core/ function reports failure.
 *
 * core/ never prints and never exits. A function that can fail returns an lt_status
 * (or NULL) and leaves a one-line message that the caller may show:
 *
 *     lt_status st = idx_read("x.gz", &img);
 *     if (st != LT_OK) show_to_user(lt_status_name(st), lt_errmsg());
 *
 * The message lives in a thread-local buffer that the next failure on the same
 * thread overwrites; copy it if it must outlive that. */
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

/* The calling thread's last message ("" if none). Owned by core/: do not free. */
const char *lt_errmsg(void);

/* A short, Python-like name for a status: "ValueError", "ShapeError", ... */
const char *lt_status_name(lt_status st);

#endif
