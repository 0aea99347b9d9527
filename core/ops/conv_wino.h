/* conv_wino.h: Winograd's minimal filtering F(2x2, 3x3), for conv.c's 3x3 convolutions with
 * stride 1 and padding 1. Each 2x2 block of outputs ("tile") comes from the 4x4 block of
 * inputs around it with 16 multiplies per pair of channels instead of 36:
 *
 *     U[xi] (O, C) = G g G^T       each 3x3 kernel g, once per pass       wino_weights
 *     V[xi] (C, T) = B^T d B       each 4x4 input tile d, T tiles          wino_input
 *     M[xi] (O, T) = U[xi] V[xi]   16 sgemms (the caller's)
 *     y            = A^T m A       each tile's 4x4 m into its 2x2 outputs  wino_output
 *
 * with B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; .5 .5 .5; .5 -.5 .5;
 * 0 0 1], A^T = [1 1 1 0; 0 1 -1 -1], and xi = 4 i + j the position in a transformed
 * tile (i from the rows, j from the columns). Tile (ty, tx) covers output rows 2 ty,
 * 2 ty + 1 and columns 2 tx, 2 tx + 1; tiles are numbered t = ty (TW + 1) + tx with
 * TW = ceil(W / 2): every row of tiles has one more, tx = TW, whose values are junk that
 * the sgemms carry along and wino_output drops (so that the transforms read each tile's
 * inputs at fixed offsets of one array and run as plain vector loops). In odd-sized
 * images the last tiles stick out: their extra inputs are zero and their extra outputs
 * are dropped.
 *
 * The input gradient of such a convolution is one of the same kind, of dy with every
 * kernel turned by 180 degrees and the channels swapped: wino_weights(..., flip = 1).
 * The weight gradient follows from the forward's formula: with Z = A dy_t A^T (4x4) for
 * each tile's 2x2 output gradient dy_t (wino_grad),
 *     dU[xi] (O, C) = sum over tiles Z[xi] (O, T) V[xi]^T (T, C)   16 sgemms (the caller's)
 *     dg = G^T dU G                                                wino_weights_grad
 *
 * Rounding: the transforms add and subtract (and halve, in G) before the products, so
 * results differ from the direct sum in the last bits (test_conv bounds it against a
 * double-precision reference). */
#ifndef LT_CONV_WINO_H
#define LT_CONV_WINO_H

#include <stddef.h>

/* The largest image side wino_input and wino_output take (their buffers live on the
 * stack). */
enum { WINO_MAX = 64 };

/* Tiles of an H x W image as numbered above (junk ones included): ceil(H / 2)
 * (ceil(W / 2) + 1). */
size_t wino_tiles(int H, int W);

/* w is (O, C, 3, 3). flip = 0: U (16, O, C), U[xi][o][c] = (G w[o][c] G^T)[xi];
 * flip = 1: U (16, C, O) for the input gradient, U[xi][c][o] = (G w'[c][o] G^T)[xi]
 * with w'[c][o][i][j] = w[o][c][2 - i][2 - j]. */
void wino_weights(const float *w, int O, int C, int flip, float *U);

/* x is one image (C, H, W), H, W <= WINO_MAX; V is (16, C, ld), ld >= wino_tiles(H, W):
 * V[xi][c][t] = (B^T d B)[xi] for the 4x4 tile d of plane c around tile t (zero outside
 * the image). Columns from wino_tiles(H, W) to ld are left as they were. */
void wino_input(const float *x, int C, int H, int W, float *V, size_t ld);

/* M is (16, O, ld) as the sgemms left it; y is one image (O, H, W), H, W <= WINO_MAX:
 *     y[o] = (set ? 0 : y[o]) + A^T m A + bias[o] + shift[o] + res[o]
 * for each tile's m, where bias (O), shift (O) and res (O, H, W) may each be NULL. */
void wino_output(const float *M, size_t ld, int O, int H, int W, const float *bias,
                 const float *shift, const float *res, float *y, int set);

/* dy is one image's output gradient (O, H, W), H, W <= WINO_MAX; Z is (16, O, ld), ld >=
 * wino_tiles(H, W): Z[xi][o][t] = (A dy_t A^T)[xi] for the 2x2 block dy_t of tile t (zero
 * outside the image, so the junk tiles give zeros). */
void wino_grad(const float *dy, int O, int H, int W, float *Z, size_t ld);

/* dU is (16, O, C) as the sgemms summed it; dw (O, C, 3, 3) += G^T dU[o][c] G for each
 * pair. */
void wino_weights_grad(const float *dU, int O, int C, float *dw);

#endif
