/* score.h: the numbers of a sample scorer: how a fixed classifier sees a batch of
 * generated samples.
 *
 * Given the classifier's logits (n, k) and penultimate features (n, d) for n samples,
 * and a Gaussian fitted to the features of held-out real data:
 *   conf      share of samples whose largest softmax probability is >= 0.9
 *   classes   how many of the k classes are some sample's argmax; maxshare, the largest
 *             class's share; counts, the samples per class
 *   IS        the classifier's Inception Score exp(E_x KL(p(y|x) || p(y))), p(y) the
 *             mean of p(y|x) over the batch: 1 (one class, or no confidence) .. k
 *   FD        the Frechet distance between the Gaussians of the samples' and the real
 *             data's features: |mu1 - mu2|^2 + tr S1 + tr S2 - 2 tr sqrt(S1 S2)
 * The statistics are computed in double. tr sqrt(S1 S2) is the sum of the square roots
 * of the eigenvalues of sqrt(S1) S2 sqrt(S1) (symmetric, positive semi-definite, so a
 * symmetric eigensolver suffices); eigenvalues below 0 by rounding count as 0.
 *
 *     score_gauss real, fake;
 *     score_classes c;
 *     double fd;
 *     if (score_gauss_fit(feats, n, 128, &fake) != LT_OK ||      // feats is (n, 128)
 *         score_frechet(&fake, &real, &fd) != LT_OK ||
 *         score_class_stats(logits, n, 10, counts, &c) != LT_OK) // counts is (10)
 *         show(lt_errmsg());
 *     score_gauss_free(&fake);
 *
 * Failures return a status after lt_fail (lt_error.h); nothing is left allocated. */
#ifndef LT_SCORE_H
#define LT_SCORE_H

#include "lt_error.h"

#define SCORE_CONF 0.9   /* a sample is "confident" from this softmax probability on */

/* A Gaussian fitted to n rows of d features. */
typedef struct score_gauss {
    int d;          /* features                                       */
    double *mu;     /* (d) the mean; owned                            */
    double *cov;    /* (d, d) the covariance, divided by n - 1; owned */
} score_gauss;

/* Fits mean and covariance (as np.cov: divided by n - 1) to f (n, d), n >= 2.
 * LT_ERR_VALUE for n < 2 or d < 1, LT_ERR_NUMERIC for a NaN or infinity in f. */
lt_status score_gauss_fit(const float *f, int n, int d, score_gauss *out);
/* Frees g's arrays and zeroes it; safe to call twice. */
void score_gauss_free(score_gauss *g);

/* The eigenvalues w (n) and, when v is not NULL, the eigenvectors (the columns of
 * v (n, n)) of the symmetric matrix a (n, n), which is destroyed. Cyclic Jacobi
 * rotations until the off-diagonal part is below 1e-13 of the matrix's norm.
 * LT_ERR_NUMERIC when it does not converge in 100 sweeps (a NaN in a). */
lt_status score_eigh(double *a, int n, double *w, double *v);

/* The Frechet distance between the Gaussians a and b (of the same d) into *fd.
 * LT_ERR_VALUE when the sizes differ, LT_ERR_NOMEM, or score_eigh's failure. */
lt_status score_frechet(const score_gauss *a, const score_gauss *b, double *fd);

/* What the classifier's outputs say about the batch. */
typedef struct score_classes {
    int n, k;         /* samples, classes                                   */
    double conf;      /* share of samples with max softmax >= SCORE_CONF    */
    int covered;      /* classes predicted (argmax) for at least one sample */
    double maxshare;  /* the largest class's share of the samples           */
    double is;        /* the Inception Score, 1..k                          */
} score_classes;

/* Fills *out and counts (k) from logits (n, k), n >= 1, k >= 2 (softmax in double; ties
 * of the argmax go to the first class; the IS uses log(p + 1e-12), as the reference).
 * LT_ERR_NUMERIC for a NaN or infinite logit, LT_ERR_VALUE for bad sizes. */
lt_status score_class_stats(const float *logits, int n, int k, int *counts, score_classes *out);

/* The path of the scorer checkpoint called name ("mnist-scorer.ltw") into buf (size
 * n): in $LATENT_MODEL_DIR when set, else in the installed share/latent/models, else
 * in the source tree's share/models. LT_ERR_IO naming every place tried when none has it. */
lt_status score_model_path(const char *name, char *buf, int n);

#endif
