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

int main(void)
{
    RUN(test_fail_records_message);
    RUN(test_long_message_is_cut);
    return check_summary("error");
}
