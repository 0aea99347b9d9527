/* error.c: the thread-local last-error message of core/ (see lt_error.h). */
#include "lt_error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char lt_msg[1024];

lt_status lt_fail(lt_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lt_msg, sizeof lt_msg, fmt, ap);
    va_end(ap);
    return st;
}

const char *lt_errmsg(void)
{
    return lt_msg;
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
