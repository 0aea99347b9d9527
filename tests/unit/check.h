/* check.h: the few macros our C unit tests use. Include once per test program.
 *
 *     #include "check.h"
 *     static void test_add(void) { CHECK(1 + 1 == 2); CHECK_NEAR(0.1 + 0.2, 0.3, 1e-12); }
 *     int main(void) { RUN(test_add); return check_summary("tensor"); }
 *
 * A failed check prints file:line and the expression (or both values) and the test
 * goes on; check_summary prints "NAME: N passed, N failed" and returns the exit code. */
#ifndef CHECK_H
#define CHECK_H

#include <math.h>
#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond) do { \
    if (cond) check_passed++; \
    else { check_failed++; fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_NEAR(a, b, tol) do { \
    double check_a_ = (a), check_b_ = (b); \
    if (fabs(check_a_ - check_b_) <= (tol) || (isinf(check_a_) && check_a_ == check_b_)) check_passed++; \
    else { check_failed++; fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.9g, %s = %.9g (tol %g)\n", \
        __FILE__, __LINE__, #a, check_a_, #b, check_b_, (double)(tol)); } \
} while (0)

#define CHECK_STR(a, b) do { \
    const char *check_s_ = (a), *check_t_ = (b); \
    if (check_s_ && check_t_ && strcmp(check_s_, check_t_) == 0) check_passed++; \
    else { check_failed++; fprintf(stderr, "%s:%d: CHECK_STR failed: %s = \"%s\", expected \"%s\"\n", \
        __FILE__, __LINE__, #a, check_s_ ? check_s_ : "(null)", check_t_ ? check_t_ : "(null)"); } \
} while (0)

#define RUN(fn) do { int check_before_ = check_failed; fn(); \
    if (check_failed != check_before_) fprintf(stderr, "  in %s\n", #fn); } while (0)

static inline int check_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
