/* bi_dataset.h: data sets with targets of any shape, and the builtins around them
 * (bi_dataset.c):
 *
 *     d = dataset(xs, ys)            labels when ys is (n) whole numbers >= 0, else
 *                                    targets (n, ...) of any shape: regression (n, 1),
 *                                    images to images (n, 784)
 *     parts = split(d, 0.8, seed=1)  [first 80%, last 20%] at random, each in d's order
 *     shuffle(d, seed=1)             d in a random order
 *     for b in batches(d, 100) { }   [x, y] pairs, in order (shuffle=true: shuffled)
 *     targets(d)                     what train binds to y, for the whole set
 *     accuracy(net, d)               the share of samples whose largest output is their label
 *
 * Every builtin changes nothing on an error; none runs inside a train body except
 * dataset(), split(), shuffle() and targets(). */
#ifndef LANG_BI_DATASET_H
#define LANG_BI_DATASET_H

#include "registry.h"

/* Registers dataset, split, shuffle, batches, targets and accuracy (registry.h). */
int lib_open_dataset(registry *r);

#endif
