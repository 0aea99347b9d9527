/* bi_train.h: the training statements (train, step, log) and training histories.
 *
 *     train on DATA epochs N batch B { ... }   runs the block once per mini-batch with
 *                                              x (B, d), y (B), batch (rows) and epoch
 *                                              bound; autograd records only in here
 *     step OPT LOSS                            zero OPT's gradients, back-propagate LOSS
 *                                              into OPT's parameters only, update them
 *     log NAME  /  log NAME = EXPR             record another scalar
 *
 * Every stepped or logged scalar goes to a series named after its variable; when the
 * loop ends (normally, by an error or by an interrupt) each name is bound to its series,
 * a value whose to_floats is the per-batch curve (plot(loss)). */
#ifndef LANG_BI_TRAIN_H
#define LANG_BI_TRAIN_H

#include "ast.h"
#include "registry.h"
#include "sess.h"
#include "value.h"

/* Registers the library: the statements train, step and log (registry.h). */
int lib_open_train(registry *r);

/* While a train loop runs (e.g. from its progress display): series i's name and its
 * values so far (borrowed, valid until the next mini-batch). Returns 0, or -1 when no
 * loop runs or i is out of range. For a live loss plot. */
/* The name of history v ("loss"), or NULL when v is not a training history. */
const char *train_history_name(value v);

int train_live_series(lt_session *s, int i, const char **name, const float **v, size_t *n);

/* Histories for save/load (bi_save.c): a new history value holding a copy of v[0..n)
 * (0, or -1 when out of memory), and a history's name, values (borrowed) and epochs
 * (-1 when v is not a history). */
int train_history_new(const char *name, const float *v, size_t n, int epochs, value *out);
int train_history_get(value v, const char **name, const float **x, size_t *n, int *epochs);

#endif
