/* error.c: the thread-local last-error message of core/ (see lt_error.h). */
#include "lt_error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char lt_msg[1024];
static _Thread_local lt_status lt_st;   /* the last failure's status */
static _Thread_local int lt_arg = -1;   /* its argument, -1 when none */

static lt_status vfail(lt_status st, int arg, const char *fmt, va_list ap)
{
    vsnprintf(lt_msg, sizeof lt_msg, fmt, ap);
    lt_st = st;
    lt_arg = arg < 0 ? -1 : arg;
    return st;
}

lt_status lt_fail(lt_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(st, -1, fmt, ap);
    va_end(ap);
    return st;
}

lt_status lt_fail_arg(lt_status st, int arg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(st, arg, fmt, ap);
    va_end(ap);
    return st;
}

lt_status lt_fail_at(lt_status st, int arg)
{
    if (st != LT_OK)
        lt_arg = arg < 0 ? -1 : arg;
    return st;
}

const char *lt_errmsg(void)
{
    return lt_msg;
}

lt_status lt_errstatus(void)
{
    return lt_st;
}

int lt_errarg(void)
{
    return lt_arg;
}

const char *lt_status_name(lt_status st)
{
    switch (st) {
    case LT_OK: return "OK";
    case LT_ERR_VALUE: return "ValueError";
    case LT_ERR_SHAPE: return "ShapeError";
    case LT_ERR_TYPE: return "TypeError";
    case LT_ERR_INDEX: return "IndexError";
    case LT_ERR_IO: return "IOError";
    case LT_ERR_FORMAT: return "FormatError";
    case LT_ERR_NOMEM: return "MemoryError";
    case LT_ERR_NUMERIC: return "NumericError";
    case LT_ERR_INTERRUPT: return "KeyboardInterrupt";
    }
    return "Error";
}
