/* toys.h: small synthetic data sets for the lectures, seeded and reproducible.
 *
 * Each fills an lt_dataset (data.h; free it with data_free). The same arguments and
 * seed give the same samples on every run. Noise is Gaussian with standard deviation
 * `noise` added to each coordinate. Samples of the classes alternate (label i % k for
 * sample i), so any prefix x[0:m] holds every class.
 *
 *     lt_dataset ds;
 *     toys_moons(&ds, 1000, 0.1f, 42);     // (1000, 2), labels 0 / 1
 *
 * Failures (n < 1, negative noise, bad counts) return LT_ERR_VALUE; LT_ERR_NOMEM when
 * memory runs out. Nothing is left allocated on failure. */
#ifndef LT_TOYS_H
#define LT_TOYS_H

#include <stdint.h>

#include "data.h"

/* Two interleaving half circles (as scikit-learn's make_moons): label 0 on
 * (cos t, sin t), label 1 on (1 - cos t, 0.5 - sin t), t uniform in [0, pi]. (n, 2). */
lt_status toys_moons(lt_dataset *out, int n, float noise, uint64_t seed);

/* `arms` spiral arms (classes) turning `turns` times around the origin: radius r
 * uniform in [0, 1], angle 2 pi (turns r + arm / arms). (n, 2), labels 0..arms-1. */
lt_status toys_spiral(lt_dataset *out, int n, int arms, float turns, float noise, uint64_t seed);

/* A ring: points on the unit circle at uniform angles, plus noise. (n, 2), no labels. */
lt_status toys_ring(lt_dataset *out, int n, float noise, uint64_t seed);

/* Two concentric circles (as make_circles): label 0 at radius 1, label 1 at radius
 * factor (0 < factor < 1). (n, 2). */
lt_status toys_circles(lt_dataset *out, int n, float factor, float noise, uint64_t seed);

/* Eight Gaussians of standard deviation std at angles k pi / 4 on a circle of the given
 * radius (the GAN mode-collapse toy): (n, 2), label k = the mode. */
lt_status toys_gaussians8(lt_dataset *out, int n, float radius, float std, uint64_t seed);

/* A 1-D mixture of k Gaussians: component j has weight weights[j] (any positive
 * numbers; normalised; NULL for equal weights), mean means[j] and standard deviation
 * stds[j] >= 0. Components are drawn at random by weight. (n, 1), label = component. */
lt_status toys_gmm1d(lt_dataset *out, int n, int k, const float *means, const float *stds,
                     const float *weights, uint64_t seed);

#endif
