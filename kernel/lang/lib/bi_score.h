/* bi_score.h: the sample scorer, score(samples, data="mnist"), and the helpers that
 * its classifier's training script needs, permutation(n, seed=) and shift(x, pixels=).
 *
 *     s = score(x)              x: (N, 784) or (N, 1, 28, 28) samples, clamped to [0, 1]
 *     s                         a table: conf, classes, IS, FD, n, class counts
 *     s["FD"], s["counts"]      the numbers as values
 *
 * The classifiers are checkpoints made by share/scripts/train_scorer.sh
 * (share/models/mnist-scorer.ltw and fashion-scorer.ltw, found by core/info/score.h's score_model_path). A session
 * loads each one on its first use, with the Gaussian of its features of the 1,000
 * held-out images (the first 1,000 of np.random.RandomState(0).permutation of the
 * 10,000 images), and keeps them until it ends (the library's closer). */
#ifndef LANG_BI_SCORE_H
#define LANG_BI_SCORE_H

#include "registry.h"

/* Registers the library (registry.h). */
int lib_open_score(registry *r);

#endif
