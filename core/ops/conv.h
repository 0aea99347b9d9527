/* conv.h: the ops of convolutional networks on NCHW float32 maps (B images, C channels,
 * H rows, W columns), each op with its gradient. Their layers (conv2d, group_norm as
 * lt_module) are nn/conv_layers.h.
 *
 *     lt_tensor *h = op_conv2d(g, x, w, b, 1, 1, NULL);  // x (B, 1, 28, 28), w (16, 1, 3, 3)
 *     h = op_group_norm(g, h, 4, gw, gb, 1e-5f, 1, NULL); // GroupNorm then SiLU, one node
 *     h = op_avgpool2(g, h);                            // (B, 16, 14, 14)
 *     h = op_upsample2(g, h);                           // (B, 16, 28, 28)
 *     if (!h) show(lt_errmsg());                        // "conv2d: expected ..."
 *
 * Like the ops of ops.h: results are new contiguous arena tensors of g; an op given a
 * NULL input returns NULL without touching the message; other failures return NULL after
 * lt_fail with a message naming the op (or the layer) and the shapes. Inputs may be
 * heap, arena or parameter tensors, and strided views (they are copied to contiguous
 * arena memory first).
 *
 * Threads: conv2d, GroupNorm, the channel add, pooling and upsampling split their work
 * by image over pool_get_threads() threads (a small pool, see pool.h); results do
 * not depend on the thread count except for the order of the sums of weight gradients.
 * Call them from one thread at a time.
 *
 * How conv2d runs. "Same" stride-1 convolutions (k = 2 pad + 1, e.g. 3x3 with padding 1)
 * on images wide enough take the row-tap path: each input plane is padded to rows of
 * W + 2 pad and copied k times, shifted by each kernel column; one sgemm per kernel row
 * (K = C k) then covers all taps of that row at once, over a third of im2col's data, and
 * backward folds the input gradient with k adds per element instead of k*k. 3x3
 * convolutions with stride 2 and padding 1 on even-sized images (downsampling) take the
 * phase path: each input plane is split into its four stride-2 phases, padded, and the
 * nine taps become four sgemms over them grouped by offset (no column matrix, no
 * stride-2 gathers per tap). Every other convolution goes through im2col: the images of a batch are taken in chunks of G, each
 * chunk's column matrix (C*kh*kw, G*Ho*Wo) lives in the graph arena, one sgemm per chunk
 * gives (O, G*Ho*Wo), which lands in the NCHW result with the bias. G is chosen so that the
 * column matrix holds about conv2d_chunk_floats() floats. Either way, the images (chunks)
 * are spread over the pool's threads (pool_get_threads(), each sgemm on one thread);
 * weight and bias gradients are summed per thread, then added. Backward rebuilds the
 * columns (they are not kept). conv2d_naive_* are the slow, obviously
 * right references (direct loops, double accumulation) that tests compare against.
 */
#ifndef LT_CONV_H
#define LT_CONV_H

#include <stddef.h>

#include "graph.h"
#include "param.h"
#include "rng.h"
#include "tensor.h"

/* ---- ops ------------------------------------------------------------------------------- */

/* 2-D convolution (cross-correlation, as PyTorch's conv2d):
 * x is (B, C, H, W), w is (O, C, kh, kw), b is (O) or NULL -> y (B, O, Ho, Wo) with
 * Ho = (H + 2 pad - kh) / stride + 1 (floor), likewise Wo; zero padding.
 * stride >= 1, pad >= 0, Ho and Wo >= 1. name (may be NULL) starts shape errors:
 * "conv2d(16, 32, k=3): expected input (B, 16, H, W), got (128, 8, 28, 28)". */
lt_tensor *op_conv2d(lt_graph *g, lt_tensor *x, lt_tensor *w, lt_tensor *b, int stride,
                     int pad, const char *name);

/* conv2d(x, w) + b + v in the same pass, the gradient reaching v too; v is NULL, or
 * (B, O): a shift per image and output channel, v[:, :, None, None] (a U-Net block's time
 * embedding), or (B, O, Ho, Wo): added element-wise (a residual connection). */
lt_tensor *op_conv2d_plus(lt_graph *g, lt_tensor *x, lt_tensor *w, lt_tensor *b, lt_tensor *v,
                          int stride, int pad, const char *name);

/* Average over 2x2 windows, stride 2: x is (B, C, H, W) with H, W even -> (B, C, H/2, W/2). */
lt_tensor *op_avgpool2(lt_graph *g, lt_tensor *x);
/* Nearest-neighbour upsampling by 2: x is (B, C, H, W) -> (B, C, 2H, 2W). */
lt_tensor *op_upsample2(lt_graph *g, lt_tensor *x);

/* concat(upsample2(a), b) along the channels in one pass, without the upsampled
 * intermediate (a U-Net's decoder joining its skip connection): a is (B, Ca, H, W), b is
 * (B, Cb, 2H, 2W) -> (B, Ca + Cb, 2H, 2W). Gradients reach both. */
lt_tensor *op_upsample2_concat(lt_graph *g, lt_tensor *a, lt_tensor *b);

/* Group normalisation (Wu & He; PyTorch's GroupNorm): the C channels fall into `groups`
 * consecutive groups; each (image, group) is normalised by its own mean and biased
 * variance over its C/groups * H * W values, then scaled and shifted per channel:
 *     y = (x - mean) / sqrt(var + eps) * w[c] + b[c],  then SiLU y * sigmoid(y) if silu.
 * x is (B, C, H, W) (or (B, C): H = W = 1), w and b are (C) or NULL (1 and 0);
 * groups divides C. The SiLU is fused: one node, which (when the graph records a
 * gradient) keeps SiLU's derivative, one float per element, instead of the pre-activation. */
lt_tensor *op_group_norm(lt_graph *g, lt_tensor *x, int groups, lt_tensor *w, lt_tensor *b,
                         float eps, int silu, const char *name);

/* x + v broadcast over the map: x is (B, C, H, W), v is (B, C) -> (B, C, H, W); the
 * time embedding of a U-Net block, added per channel. Gradients reach both. */
lt_tensor *op_add_channel(lt_graph *g, lt_tensor *x, lt_tensor *v);

/* [no grad] Sinusoidal embedding of time steps: t is (B) (integers or any floats) ->
 * (B, dim), dim even; row i is [sin(t_i f_0), .., sin(t_i f_{h-1}), cos(t_i f_0), ..,
 * cos(t_i f_{h-1})] with h = dim / 2 and f_k = 10000^(-k / h). */
lt_tensor *op_temb(lt_graph *g, lt_tensor *t, int dim);

/* ---- raw kernels and the references -------------------------------------------------- */

/* Output size of a convolution along one axis, or 0 if none fits. */
int conv2d_out_size(int in, int k, int stride, int pad);

/* y = conv(x, w) + b on raw contiguous arrays: x is (B, C, H, W), w is (O, C, kh, kw),
 * b is (O) or NULL, y is (B, O, Ho, Wo) and is overwritten. Direct loops, double sums. */
void conv2d_naive_forward(const float *x, const float *w, const float *b, float *y, int B,
                          int C, int H, int W, int O, int kh, int kw, int stride, int pad);
/* Adds (+=) the gradients of y = conv(x, w) + b given dy (B, O, Ho, Wo): into dx
 * (B, C, H, W), dw (O, C, kh, kw), db (O); any of them may be NULL. Direct loops. */
void conv2d_naive_backward(const float *x, const float *w, const float *dy, float *dx,
                           float *dw, float *db, int B, int C, int H, int W, int O, int kh,
                           int kw, int stride, int pad);

/* The column buffer's target size in floats (default 65536 = 256 KiB, the fastest
 * measured: one image per sgemm at 28x28, a few at 7x7; tests/bench/README.md,
 * "Measurement history", "conv"). Setting n < 1 means one image per chunk; a huge n
 * means the whole batch in one sgemm. For tuning and benchmarks; results do not depend
 * on it beyond rounding. */
void conv2d_set_chunk_floats(size_t n);
size_t conv2d_chunk_floats(void);
/* 1 (default): "same" stride-1 convolutions (k = 2 pad + 1 > 1) whose padded rows cost at
 * most 20% extra take the row-tap path of conv.c (a third of im2col's copying), and 3x3
 * stride-2 padding-1 ones on even sizes the phase path; 2: row-tap for every same
 * convolution, whatever the cost; 0: every convolution goes through im2col.
 * Returns the previous setting; for tests and benchmarks. */
int conv2d_set_rowtap(int on);
/* 1 (default): on the row-tap path, 3x3 kernels with padding 1 (on images up to 64 x 64)
 * compute the forward, the input gradient and the weight gradient by Winograd's
 * F(2x2, 3x3) (conv_wino.h: 16 products per 2x2 outputs instead of 36; results differ
 * from the direct sum in the last bits); 0: by the row-tap sgemms. Returns the previous
 * setting; for tests and benchmarks. */
int conv2d_set_winograd(int on);
/* Winograd's images per chunk: about n tiles (default 64; 28x28 images have 210, 14x14 56,
 * 7x7 20, so only 7x7 ones go three to a chunk): every sgemm takes the chunk's images side
 * by side (N, or K for the weight gradient, = the chunk's tiles). Larger chunks (their
 * buffers leave the L2 cache) and one image per chunk were slower (tests/bench/README.md,
 * "Measurement history", "conv"). Returns the previous setting; for tuning and benchmarks. */
size_t conv2d_set_winograd_cols(size_t n);

/* ---- helpers of the conv ops and layers --------------------------------------------------------------- */

/* x's floats, contiguous: x->data itself or a copy in g's arena. NULL after lt_fail. */
const float *conv_contig(lt_graph *g, const lt_tensor *x);
/* lt_fail(LT_ERR_SHAPE, "WHAT: expected EXPECTED, got (shape of x)"); returns NULL. */
lt_tensor *conv_fail_shape(const char *what, const char *expected, const lt_tensor *x);

#endif
