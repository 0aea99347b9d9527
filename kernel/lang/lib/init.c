/* init.c: the one list of the builtin libraries (Lua's linit pattern, see registry.h).
 * A new library is one file with a lib_open_NAME function, and one line here. */
#include "init.h"

#include "bi_about.h"
#include "bi_base.h"
#include "bi_boundary.h"
#include "bi_dataset.h"
#include "bi_ema.h"
#include "bi_info.h"
#include "bi_math.h"
#include "bi_net.h"
#include "bi_nn.h"
#include "bi_npy.h"
#include "bi_plot.h"
#include "bi_save.h"
#include "bi_sched.h"
#include "bi_score.h"
#include "bi_tensor.h"
#include "bi_train.h"

/* In the order help() lists them; the order decides nothing else (registry.h). */
static int (*const lib_opens[])(registry *r) = {
    lib_open_base,     /* print, help, math on numbers, len, str, type, clock, image */
    lib_open_info,     /* entropy, cross_entropy, kl, Huffman codes, distributions */
    lib_open_plot,     /* plot, scatter, hist, heatmap, show, animate, grid, live */
    lib_open_boundary, /* boundary(net, data): a classifier\'s decision boundary */
    lib_open_tensor,   /* tensors and their ops */
    lib_open_math,     /* sin, cos, tan, pi, e, var, std, where, one_hot, log_softmax, nll_loss */
    lib_open_nn,       /* layers, seq, losses, optimizers, data sets */
    lib_open_dataset,  /* dataset, split, shuffle, batches, targets, accuracy */
    lib_open_sched,    /* schedules, schedule(opt, s), rmsprop, adagrad, adadelta */
    lib_open_net,      /* net NAME(...) { }, conv layers, the U-Net */
    lib_open_train,    /* train, step, log and training histories */
    lib_open_ema,      /* ema(net): weight averages */
    lib_open_save,     /* save, load, load_into */
    lib_open_npy,      /* arrays, keys: NumPy .npy/.npz files */
    lib_open_score,    /* score(samples): the sample scorer */
    lib_open_about,    /* about(): the machine and the build */
};

int lib_open_all(registry *r)
{
    for (size_t i = 0; i < sizeof lib_opens / sizeof lib_opens[0]; i++)
        if (lib_opens[i](r) < 0) return -1;
    return 0;
}
