/* metrics.c: the ROC AUC by ranks (Mann-Whitney), and its pairwise reference. */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>

/* Checks scores and labels; counts the positives. */
static lt_status roc_check(const double *scores, const int *labels, size_t n, size_t *npos)
{
    *npos = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(scores[i]))
            return lt_fail(LT_ERR_VALUE, "roc_auc: scores[%zu] = %s is not a finite number", i,
                           isnan(scores[i]) ? "nan" : scores[i] > 0 ? "inf" : "-inf");
        if (labels[i] != 0 && labels[i] != 1)
            return lt_fail(LT_ERR_VALUE, "roc_auc: labels[%zu] = %d; labels must be 0 (normal) or 1 (anomaly)",
                           i, labels[i]);
        *npos += (size_t)labels[i];
    }
    if (*npos == 0 || *npos == n)
        return lt_fail(LT_ERR_VALUE, "roc_auc: needs both classes, but all %zu labels are %d", n,
                       n ? labels[0] : 0);
    return LT_OK;
}

typedef struct roc_item { double score; int label; } roc_item;

static int roc_cmp(const void *a, const void *b)
{
    double x = ((const roc_item *)a)->score, y = ((const roc_item *)b)->score;
    return (x > y) - (x < y);
}

lt_status metrics_roc_auc(const double *scores, const int *labels, size_t n, double *auc)
{
    size_t npos;
    lt_status st = roc_check(scores, labels, n, &npos);
    if (st != LT_OK) return st;
    roc_item *it = malloc(n * sizeof *it);
    if (!it) return lt_fail(LT_ERR_NOMEM, "roc_auc: out of memory for %zu scores", n);
    for (size_t i = 0; i < n; i++) it[i] = (roc_item){scores[i], labels[i]};
    qsort(it, n, sizeof *it, roc_cmp);
    /* sum of the positives' ranks (1-based), tied scores sharing their average rank */
    double rank_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i, pos = 0;
        while (j < n && it[j].score == it[i].score) pos += (size_t)it[j++].label;
        rank_sum += (double)pos * 0.5 * (double)(i + 1 + j);
        i = j;
    }
    free(it);
    double nneg = (double)(n - npos);
    *auc = (rank_sum - 0.5 * (double)npos * (double)(npos + 1)) / ((double)npos * nneg);
    return LT_OK;
}

lt_status metrics_roc_auc_naive(const double *scores, const int *labels, size_t n, double *auc)
{
    size_t npos;
    lt_status st = roc_check(scores, labels, n, &npos);
    if (st != LT_OK) return st;
    double wins = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (labels[i] == 1 && labels[j] == 0)
                wins += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
    *auc = wins / ((double)npos * (double)(n - npos));
    return LT_OK;
}
