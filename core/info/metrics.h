/* metrics.h: how well a score separates two classes (anomaly detection).
 *
 *     double err[] = {0.1, 0.4, 0.35, 0.8};   // reconstruction errors
 *     int anomal[] = {0, 0, 1, 1};             // 1 = anomaly (the positive class)
 *     double auc;
 *     if (metrics_roc_auc(err, anomal, 4, &auc) != LT_OK) show(lt_errmsg());  // auc = 0.75
 *
 * The ROC AUC is the area under the ROC curve (true-positive rate against false-positive
 * rate as the threshold sweeps the scores), which equals the probability that a random
 * positive scores higher than a random negative, ties counting one half (the
 * Mann-Whitney U statistic divided by npos * nneg). 1 separates perfectly, 0.5 is chance,
 * 0 is perfect with the sign flipped.
 *
 * Nothing allocated here is the caller's: arrays are borrowed for the call (one scratch
 * array is allocated and freed inside). On failure (LT_ERR_VALUE for NaN or infinite
 * scores, labels other than 0/1, or only one class; LT_ERR_NOMEM) *auc is untouched and
 * lt_errmsg() says what and where. */
#ifndef LT_METRICS_H
#define LT_METRICS_H

#include <stddef.h>

#include "lt_error.h"

/* ROC AUC of scores (n) against labels (n, each 0 or 1; 1 = positive). O(n log n). */
lt_status metrics_roc_auc(const double *scores, const int *labels, size_t n, double *auc);

/* The same by comparing every positive with every negative, O(npos * nneg): the slow,
 * obviously right reference that tests check metrics_roc_auc against. */
lt_status metrics_roc_auc_naive(const double *scores, const int *labels, size_t n, double *auc);

#endif
