/* test_metrics.c: the ROC AUC against hand-worked values and against the pairwise
 * reference on random scores with many ties; the errors. */
#include <string.h>

#include "check.h"
#include "metrics.h"
#include "rng.h"

static void test_hand_worked(void)
{
    /* positives 0.35, 0.8; negatives 0.1, 0.4: of the 4 pairs, 3 are ordered right */
    double s[] = {0.1, 0.4, 0.35, 0.8}, auc = -1;
    int y[] = {0, 0, 1, 1};
    CHECK(metrics_roc_auc(s, y, 4, &auc) == LT_OK);
    CHECK(auc == 0.75);
    int perfect[] = {0, 1, 0, 1};   /* 0.4 and 0.8 above 0.1 and 0.35 */
    CHECK(metrics_roc_auc(s, perfect, 4, &auc) == LT_OK && auc == 1.0);
    int flipped[] = {1, 0, 1, 0};
    CHECK(metrics_roc_auc(s, flipped, 4, &auc) == LT_OK && auc == 0.0);
}

static void test_ties(void)
{
    double same[] = {2, 2, 2, 2, 2}, auc = -1;   /* all tied: chance exactly */
    int y[] = {0, 1, 0, 1, 1};
    CHECK(metrics_roc_auc(same, y, 5, &auc) == LT_OK && auc == 0.5);
    double s[] = {1, 2, 2, 3};   /* pairs (pos 2 vs neg 1) win, (pos 2 vs neg 2) tie... */
    int y2[] = {0, 1, 0, 1};     /* pos {2, 3}, neg {1, 2}: 1 + 0.5 + 1 + 1 = 3.5 of 4 */
    CHECK(metrics_roc_auc(s, y2, 4, &auc) == LT_OK && auc == 0.875);
}

static void test_against_naive(void)
{
    rng r;
    rng_seed(&r, 7);
    enum { N = 501 };
    double s[N];
    int y[N];
    for (int i = 0; i < N; i++) {
        y[i] = rng_uniform(&r) < 0.3;
        s[i] = floor(10 * rng_uniform(&r)) + y[i];   /* few distinct values: many ties */
    }
    double fast = -1, slow = -2;
    CHECK(metrics_roc_auc(s, y, N, &fast) == LT_OK);
    CHECK(metrics_roc_auc_naive(s, y, N, &slow) == LT_OK);
    CHECK_NEAR(fast, slow, 1e-12);
    CHECK(fast > 0.5 && fast < 1);
}

static void test_errors(void)
{
    double s[] = {0.1, 0.2, 0.3}, auc = 42;
    int one[] = {0, 0, 0}, bad[] = {0, 2, 1}, y[] = {0, 1, 1};
    CHECK(metrics_roc_auc(s, one, 3, &auc) == LT_ERR_VALUE && auc == 42);
    CHECK(strstr(lt_errmsg(), "needs both classes, but all 3 labels are 0") != NULL);
    CHECK(metrics_roc_auc(s, bad, 3, &auc) == LT_ERR_VALUE);
    CHECK(strstr(lt_errmsg(), "labels[1] = 2") != NULL);
    double nan_s[] = {0.1, NAN, 0.3};
    CHECK(metrics_roc_auc(nan_s, y, 3, &auc) == LT_ERR_VALUE);
    CHECK(strstr(lt_errmsg(), "scores[1] = nan") != NULL);
    double inf_s[] = {0.1, 0.2, INFINITY};
    CHECK(metrics_roc_auc(inf_s, y, 3, &auc) == LT_ERR_VALUE && auc == 42);
    CHECK(metrics_roc_auc(s, y, 0, &auc) == LT_ERR_VALUE);
}

int main(void)
{
    RUN(test_hand_worked);
    RUN(test_ties);
    RUN(test_against_naive);
    RUN(test_errors);
    return check_summary("metrics");
}
