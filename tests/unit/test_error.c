/* test_error.c: core/'s status and message convention. */
#include <string.h>

#include "check.h"
#include "lt_error.h"

static void test_fail_records_message(void)
{
    lt_status st = lt_fail(LT_ERR_SHAPE, "linear: expected (B,%d), got (%d,%d)", 784, 128, 20);
    CHECK(st == LT_ERR_SHAPE);
    CHECK_STR(lt_errmsg(), "linear: expected (B,784), got (128,20)");
    CHECK_STR(lt_status_name(st), "ShapeError");
    CHECK_STR(lt_status_name(LT_ERR_INTERRUPT), "KeyboardInterrupt");
}

static void test_long_message_is_cut(void)
{
    char big[3000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    lt_fail(LT_ERR_VALUE, "%s", big);
    CHECK(strlen(lt_errmsg()) == 1023);
}

/* A failure keeps its status and the argument at fault; every lt_fail resets the
 * argument; lt_fail_at tags the failure just reported and lets LT_OK through. */
static void test_status_and_argument(void)
{
    CHECK(lt_fail_arg(LT_ERR_INDEX, 2, "take: index %d out of range", 9) == LT_ERR_INDEX);
    CHECK(lt_errstatus() == LT_ERR_INDEX && lt_errarg() == 2);
    CHECK_STR(lt_errmsg(), "take: index 9 out of range");
    lt_fail(LT_ERR_SHAPE, "matmul: no");
    CHECK(lt_errstatus() == LT_ERR_SHAPE && lt_errarg() == -1);
    CHECK(lt_fail_at(LT_ERR_SHAPE, 1) == LT_ERR_SHAPE && lt_errarg() == 1);
    CHECK(lt_fail_at(LT_OK, 0) == LT_OK && lt_errarg() == 1);   /* no failure: unchanged */
    CHECK(lt_fail_arg(LT_ERR_VALUE, -5, "x") == LT_ERR_VALUE && lt_errarg() == -1);
}

int main(void)
{
    RUN(test_status_and_argument);
    RUN(test_fail_records_message);
    RUN(test_long_message_is_cut);
    return check_summary("error");
}
