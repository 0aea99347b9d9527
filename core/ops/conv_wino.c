/* conv_wino.c: the transforms of Winograd's F(2x2, 3x3) (see conv_wino.h). Each plane is
 * first split into its four polyphase planes (rows and columns by parity); then every
 * transform is one unit-stride loop over all the plane's tiles t, which the compiler
 * vectorises (built for AVX-512, AVX2 and the baseline, picked at load time). */
#include <string.h>

#include "conv_wino.h"
#include "par.h"

size_t wino_tiles(int H, int W)
{
    return (size_t)((H + 1) / 2) * (size_t)((W + 1) / 2 + 1);
}

/* the floats of one polyphase plane: (ceil(H / 2) + 1) rows of ceil(W / 2) + 1, and one of
 * slack for the junk tile's last read */
enum { PLANE = (WINO_MAX / 2 + 1) * (WINO_MAX / 2 + 1) + 1 };

void wino_weights(const float *w, int O, int C, int flip, float *U)
{
    size_t plane = (size_t)O * C;
    for (int o = 0; o < O; o++)
        for (int c = 0; c < C; c++) {
            const float *k = w + ((size_t)o * C + c) * 9;
            float g[3][3], gg[4][3];
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    g[i][j] = flip ? k[(2 - i) * 3 + (2 - j)] : k[i * 3 + j];
            for (int j = 0; j < 3; j++) {   /* gg (4, 3) = G g */
                gg[0][j] = g[0][j];
                gg[1][j] = 0.5f * (g[0][j] + g[1][j] + g[2][j]);
                gg[2][j] = 0.5f * (g[0][j] - g[1][j] + g[2][j]);
                gg[3][j] = g[2][j];
            }
            float *u = U + (flip ? (size_t)c * O + o : (size_t)o * C + c);
            for (int i = 0; i < 4; i++) {   /* u (4, 4) = gg G^T */
                u[(4 * i + 0) * plane] = gg[i][0];
                u[(4 * i + 1) * plane] = 0.5f * (gg[i][0] + gg[i][1] + gg[i][2]);
                u[(4 * i + 2) * plane] = 0.5f * (gg[i][0] - gg[i][1] + gg[i][2]);
                u[(4 * i + 3) * plane] = gg[i][2];
            }
        }
}

/* The four polyphase planes of one plane xc (H, W) padded by a zero row on top and a
 * zero column on the left (xp[i][j] = x[i - 1][j - 1], zero outside):
 *     P[2 pr + pc][a Wq + b] = xp[2 a + pr][2 b + pc],  a <= TH, b < Wq = TW + 1,
 * then one zero of slack. Tile t = ty Wq + tx reads its input (r, col) at
 * P[2 (r % 2) + col % 2][t + (r / 2) Wq + col / 2]. */
static void polyphase(const float *xc, int H, int W, float (*P)[PLANE])
{
    int TH = (H + 1) / 2, Wq = (W + 1) / 2 + 1;
    for (int i = -1; i <= 2 * TH; i++) {   /* the image rows in order (or outside it) */
        int pr = (i + 1) % 2, a = (i + 1) / 2;
        float *p0 = P[2 * pr] + (size_t)a * Wq, *p1 = P[2 * pr + 1] + (size_t)a * Wq;
        if (i < 0 || i >= H) {
            memset(p0, 0, (size_t)Wq * sizeof(float));
            memset(p1, 0, (size_t)Wq * sizeof(float));
            continue;
        }
        const float *xr = xc + (size_t)i * W;
        int b;
        p0[0] = 0.0f;   /* column -1 */
        for (b = 1; 2 * b - 1 < W; b++)
            p0[b] = xr[2 * b - 1];
        for (; b < Wq; b++)
            p0[b] = 0.0f;
        for (b = 0; 2 * b < W; b++)
            p1[b] = xr[2 * b];
        for (; b < Wq; b++)
            p1[b] = 0.0f;
    }
    for (int k = 0; k < 4; k++)
        P[k][(size_t)(TH + 1) * Wq] = 0.0f;
}

/* One row of B^T d B for the tiles t < n of one plane: with u = a + s b (s = 1 or -1) the
 * row of B^T d from tile rows a and b, whose columns are e[t], o[t], e[t + 1], o[t + 1],
 * v0..v3[t] = (u0 - u2, u1 + u2, u2 - u1, u1 - u3) */
PAR_CLONED(static, input_row, (const float *restrict ea, const float *restrict oa,
                                 const float *restrict eb, const float *restrict ob, float s,
                                 float *restrict v0, float *restrict v1, float *restrict v2,
                                 float *restrict v3, size_t n),
           (ea, oa, eb, ob, s, v0, v1, v2, v3, n))
{
    for (size_t t = 0; t < n; t++) {
        float u0 = ea[t] + s * eb[t], u1 = oa[t] + s * ob[t];
        float u2 = ea[t + 1] + s * eb[t + 1], u3 = oa[t + 1] + s * ob[t + 1];
        v0[t] = u0 - u2;
        v1[t] = u1 + u2;
        v2[t] = u2 - u1;
        v3[t] = u1 - u3;
    }
}

void wino_input(const float *x, int C, int H, int W, float *V, size_t ld)
{
    int Wq = (W + 1) / 2 + 1;
    size_t n = wino_tiles(H, W), cs = (size_t)C * ld;   /* cs: from one xi plane to the next */
    float P[4][PLANE];
    for (int c = 0; c < C; c++) {
        polyphase(x + (size_t)c * H * W, H, W, P);
        /* tile rows r = 0, 1 are P[0 | 1] and P[2 | 3]; r = 2, 3 the same one row down:
         * rows of B^T d are r0 - r2, r1 + r2, r2 - r1, r1 - r3 */
        const float *e[4] = { P[0], P[2], P[0] + Wq, P[2] + Wq };
        const float *o[4] = { P[1], P[3], P[1] + Wq, P[3] + Wq };
        static const int ra[4] = { 0, 1, 2, 1 }, rb[4] = { 2, 2, 1, 3 };
        static const float sg[4] = { -1.0f, 1.0f, -1.0f, -1.0f };
        for (int i = 0; i < 4; i++) {
            float *v = V + (size_t)4 * i * cs + (size_t)c * ld;
            input_row(e[ra[i]], o[ra[i]], e[rb[i]], o[rb[i]], sg[i], v, v + cs, v + 2 * cs,
                      v + 3 * cs, n);
        }
    }
}

/* Y[2 a + b][t] = (A^T m A)[a][b] for the tiles t < n of one plane, whose m[i][j] is
 * m[(4 i + j) os + t]; scalars only, so that the loop vectorises over t */
PAR_CLONED(static, output_tiles, (const float *restrict m, size_t os, size_t n,
                                    float *restrict y00, float *restrict y01,
                                    float *restrict y10, float *restrict y11),
           (m, os, n, y00, y01, y10, y11))
{
    for (size_t t = 0; t < n; t++) {
        float s0[4], s1[4];   /* A^T m, column by column */
        for (int j = 0; j < 4; j++) {
            float m0 = m[(size_t)j * os + t], m1 = m[(size_t)(4 + j) * os + t];
            float m2 = m[(size_t)(8 + j) * os + t], m3 = m[(size_t)(12 + j) * os + t];
            s0[j] = m0 + m1 + m2;
            s1[j] = m1 - m2 - m3;
        }
        y00[t] = s0[0] + s0[1] + s0[2];
        y01[t] = s0[1] - s0[2] - s0[3];
        y10[t] = s1[0] + s1[1] + s1[2];
        y11[t] = s1[1] - s1[2] - s1[3];
    }
}

/* z[2 t] = e[t] + add, z[2 t + 1] = o[t] + add for t < n: a whole plane's tiles at once
 * (a U-Net's rows, 14 or 7 pairs, are too short to vectorise one by one) */
PAR_CLONED(static, zip_plane, (float *restrict z, const float *restrict e,
                                 const float *restrict o, float add, size_t n),
           (z, e, o, add, n))
{
    for (size_t t = 0; t < n; t++) {
        z[2 * t] = e[t] + add;
        z[2 * t + 1] = o[t] + add;
    }
}

/* yr (W) = (set ? 0 : yr) + z (+ rr (W)) */
PAR_CLONED(static, put_row, (float *restrict yr, const float *restrict z,
                               const float *restrict rr, int W, int set),
           (yr, z, rr, W, set))
{
    if (rr)
        for (int x = 0; x < W; x++)
            yr[x] = (set ? 0.0f : yr[x]) + (z[x] + rr[x]);
    else if (set)
        memcpy(yr, z, (size_t)W * sizeof(float));
    else
        for (int x = 0; x < W; x++)
            yr[x] += z[x];
}

void wino_output(const float *M, size_t ld, int O, int H, int W, const float *bias,
                 const float *shift, const float *res, float *y, int set)
{
    int Wq = (W + 1) / 2 + 1;
    size_t n = wino_tiles(H, W), os = (size_t)O * ld;   /* os: from one xi plane to the next */
    float Y[4][PLANE];   /* Y[2 a + b][t]: output (2 ty + a, 2 tx + b) of tile t */
    float Z[2][2 * PLANE];   /* Z[a]: rows 2 ty + a of the output, each 2 Wq long (+ add) */
    for (int oc = 0; oc < O; oc++) {
        output_tiles(M + (size_t)oc * ld, os, n, Y[0], Y[1], Y[2], Y[3]);
        float add = (bias ? bias[oc] : 0.0f) + (shift ? shift[oc] : 0.0f);
        zip_plane(Z[0], Y[0], Y[1], add, n);
        zip_plane(Z[1], Y[2], Y[3], add, n);
        float *yc = y + (size_t)oc * H * W;
        const float *rc = res ? res + (size_t)oc * H * W : NULL;
        for (int yy = 0; yy < H; yy++)   /* row yy: its first W (a junk tile follows) */
            put_row(yc + (size_t)yy * W, Z[yy % 2] + (size_t)(yy / 2) * 2 * Wq,
                    rc ? rc + (size_t)yy * W : NULL, W, set);
    }
}

/* One row of A y A^T for the tiles t < n of one plane, whose 2x2 blocks y have rows
 * (e0[t], o0[t]) and (e1[t], o1[t]): with (p, q) = c0 y0 + c1 y1 the row of A y
 * (c = (1, 0), (1, 1), (1, -1) or (0, -1): exact), z0..z3[t] = (p, p + q, p - q, -q);
 * scalars only, so that the loop vectorises over t */
PAR_CLONED(static, grad_row, (const float *restrict e0, const float *restrict o0,
                                const float *restrict e1, const float *restrict o1, float c0,
                                float c1, float *restrict z0, float *restrict z1,
                                float *restrict z2, float *restrict z3, size_t n),
           (e0, o0, e1, o1, c0, c1, z0, z1, z2, z3, n))
{
    for (size_t t = 0; t < n; t++) {
        float p = c0 * e0[t] + c1 * e1[t], q = c0 * o0[t] + c1 * o1[t];
        z0[t] = p;
        z1[t] = p + q;
        z2[t] = p - q;
        z3[t] = -q;
    }
}

void wino_grad(const float *dy, int O, int H, int W, float *Z, size_t ld)
{
    int TH = (H + 1) / 2, Wq = (W + 1) / 2 + 1;
    size_t n = wino_tiles(H, W), os = (size_t)O * ld;
    float Q[4][PLANE];   /* Q[2 a + b][ty Wq + tx] = dy[2 ty + a][2 tx + b], or 0 */
    for (int o = 0; o < O; o++) {
        const float *d = dy + (size_t)o * H * W;
        for (int ty = 0; ty < TH; ty++)
            for (int a = 0; a < 2; a++) {
                float *qe = Q[2 * a] + (size_t)ty * Wq, *qo = Q[2 * a + 1] + (size_t)ty * Wq;
                int yy = 2 * ty + a, tx = 0;
                if (yy < H) {
                    const float *dr = d + (size_t)yy * W;
                    for (; 2 * tx + 1 < W; tx++) {
                        qe[tx] = dr[2 * tx];
                        qo[tx] = dr[2 * tx + 1];
                    }
                    if (2 * tx < W) {   /* odd W: the last tile's left column */
                        qe[tx] = dr[2 * tx];
                        qo[tx++] = 0.0f;
                    }
                }
                for (; tx < Wq; tx++)
                    qe[tx] = qo[tx] = 0.0f;
            }
        static const float c0[4] = { 1.0f, 1.0f, 1.0f, 0.0f }, c1[4] = { 0.0f, 1.0f, -1.0f, -1.0f };
        for (int i = 0; i < 4; i++) {   /* rows of A y: y0, y0 + y1, y0 - y1, -y1 */
            float *z = Z + (size_t)4 * i * os + (size_t)o * ld;
            grad_row(Q[0], Q[1], Q[2], Q[3], c0[i], c1[i], z, z + os, z + 2 * os, z + 3 * os, n);
        }
    }
}

void wino_weights_grad(const float *dU, int O, int C, float *dw)
{
    size_t plane = (size_t)O * C;
    for (int o = 0; o < O; o++)
        for (int c = 0; c < C; c++) {
            const float *u = dU + (size_t)o * C + c;
            float x[4][4], h[3][4];
            for (int xi = 0; xi < 16; xi++)
                x[xi / 4][xi % 4] = u[(size_t)xi * plane];
            for (int j = 0; j < 4; j++) {   /* h (3, 4) = G^T x */
                h[0][j] = x[0][j] + 0.5f * (x[1][j] + x[2][j]);
                h[1][j] = 0.5f * (x[1][j] - x[2][j]);
                h[2][j] = 0.5f * (x[1][j] + x[2][j]) + x[3][j];
            }
            float *k = dw + ((size_t)o * C + c) * 9;
            for (int a = 0; a < 3; a++) {   /* k += h G */
                k[a * 3 + 0] += h[a][0] + 0.5f * (h[a][1] + h[a][2]);
                k[a * 3 + 1] += 0.5f * (h[a][1] - h[a][2]);
                k[a * 3 + 2] += 0.5f * (h[a][1] + h[a][2]) + h[a][3];
            }
        }
}
