/* bi_save.h: save(value, path), load(path), load_into(target, path) and seed(n).
 *
 *     save(enc, "enc.ckpt")                 a network: its architecture + parameter blocks
 *     enc2 = load("enc.ckpt")               a new network, bit-identical outputs (any
 *                                           network of layer builtins, unet() too)
 *     load_into(enc, "enc.ckpt")            the weights into an existing network of the
 *                                           same architecture (all or nothing); the way
 *                                           back for a `net`, which load() cannot rebuild
 *     save(opt, "opt.ckpt")                 kind, hyperparameters, step count, moments
 *     opt2 = load("opt.ckpt", nets=[enc, dec])    an optimizer needs its networks again
 *     load_into(opt, "opt.ckpt")            the state into an existing optimizer
 *     save(loss, "loss.ckpt"); loss = load("loss.ckpt")     a training history
 *     seed(42)                              reseeds the session's generator
 *
 * Files are core/nn/ckpt.h containers (versioned, checksummed, written atomically); paths
 * are relative to the kernel's working directory (the notebook's folder). The kinds and
 * records are described at the top of bi_save.c. A file that cannot be read, is corrupt
 * or does not fit the target is an error that changes nothing: no variable is bound,
 * no weight or moment is written, and the session's random generator is not advanced
 * (building a loaded network's layers draws from a scratch generator). */
#ifndef LANG_BI_SAVE_H
#define LANG_BI_SAVE_H

#include "registry.h"

/* Registers the library (registry.h). */
int lib_open_save(registry *r);

#endif
