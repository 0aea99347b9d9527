/* gemm.c: the engine's own sgemm (AVX-512 register-blocked kernel, packed panels, column
 * ranges over the pool's threads). See gemm.h. */
#include "gemm.h"

#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

#include "pool.h"
#include "cpu.h"
#include "settings.h"

gemm_mode gemm_set_mode(gemm_mode m)
{
    gemm_mode old = lt_set.gemm_mode;
    lt_set.gemm_mode = m;
    return old;
}

gemm_mode gemm_get_mode(void)
{
    return lt_set.gemm_mode;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define MR 14          /* most rows of A per kernel call (14 x 2 accumulators + 2 of B) */
#define NR 32          /* columns per panel: two zmm vectors                            */
#define GEMM_KC 512    /* K per kernel call (a (GEMM_KC, 32) panel of B is 64 KB, in L2) */
#define PF_T 64        /* packing a transposed operand: prefetch this many floats ahead */
#define PF_R 8         /* packing rows: prefetch this many rows ahead                   */
#define MAX_PACK_A ((size_t)1 << 20)   /* most floats of packed op(A) (4 MB)           */

int gemm_available(void)
{
    return cpu_isa_get() == CPU_ISA_AVX512;
}

/* ---- packing ---------------------------------------------------------------------- */

/* The 16 vectors r[0..15] (rows) become their 16 columns: r[j] = (old r[0][j], ...,
 * old r[15][j]). Unpack pairs, then pairs of pairs, then 128-bit lanes twice. */
__attribute__((target("avx512f"), always_inline)) static inline void transpose16(__m512 *r)
{
    __m512 t[16], u[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int g = 0; g < 4; g++) {   /* u[4g + c], lane l: rows 4g..4g+3 at column 4l + c */
        __m512d a = _mm512_castps_pd(t[4 * g]), b = _mm512_castps_pd(t[4 * g + 2]);
        __m512d c = _mm512_castps_pd(t[4 * g + 1]), d = _mm512_castps_pd(t[4 * g + 3]);
        u[4 * g] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
        u[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
        u[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(c, d));
        u[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(c, d));
    }
    for (int c = 0; c < 4; c++) {
        __m512 v0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88);
        __m512 w0 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88);
        __m512 v1 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xDD);
        __m512 w1 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xDD);
        r[c] = _mm512_shuffle_f32x4(v0, w0, 0x88);
        r[8 + c] = _mm512_shuffle_f32x4(v0, w0, 0xDD);
        r[4 + c] = _mm512_shuffle_f32x4(v1, w1, 0x88);
        r[12 + c] = _mm512_shuffle_f32x4(v1, w1, 0xDD);
    }
}

static inline __mmask16 lanes(int n)   /* the low n (0..16) lanes */
{
    return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? 0 : (__mmask16)((1u << n) - 1);
}

/* dst[k w + r] = src[r lds + k] for r < rows, k < K; zero for rows <= r < w (w <= 32).
 * src rows are contiguous along k: 16 x 16 tiles transposed in registers. */
__attribute__((target("avx512f"))) static void pack_transposed(float *dst, int w, const float *src,
                                                               ptrdiff_t lds, int rows, int K)
{
    for (int r0 = 0; r0 < w; r0 += 16) {
        int nrow = rows - r0 < 0 ? 0 : rows - r0 > 16 ? 16 : rows - r0;
        __mmask16 sm = lanes(w - r0);
        for (int k = 0; k < K; k += 16) {
            int nk = K - k < 16 ? K - k : 16;
            __mmask16 km = lanes(nk);
            __m512 t[16];
            for (int i = 0; i < nrow; i++)   /* rows are apart (often cold): fetch ahead */
                _mm_prefetch((const char *)(src + (r0 + i) * lds + k + PF_T), _MM_HINT_T0);
            for (int i = 0; i < 16; i++)
                t[i] = i < nrow ? _mm512_maskz_loadu_ps(km, src + (r0 + i) * lds + k)
                                : _mm512_setzero_ps();
            transpose16(t);
            for (int j = 0; j < nk; j++)
                _mm512_mask_storeu_ps(dst + (size_t)(k + j) * w + r0, sm, t[j]);
        }
    }
}

/* dst[k w + r] = src[k lds + r] for r < rows, k < K; zero for rows <= r < w (w <= 32). */
__attribute__((target("avx512f"))) static void pack_rows(float *dst, int w, const float *src,
                                                         ptrdiff_t lds, int rows, int K)
{
    __mmask16 l0 = lanes(rows), l1 = lanes(rows - 16), s0 = lanes(w), s1 = lanes(w - 16);
    for (int k = 0; k < K; k++) {
        const float *s = src + k * lds;
        float *d = dst + (size_t)k * w;
        _mm_prefetch((const char *)(s + PF_R * lds), _MM_HINT_T0);
        _mm_prefetch((const char *)(s + PF_R * lds + w - 1), _MM_HINT_T0);
        _mm512_mask_storeu_ps(d, s0, _mm512_maskz_loadu_ps(l0, s));
        if (w > 16)
            _mm512_mask_storeu_ps(d + 16, s1, _mm512_maskz_loadu_ps(l1, s + 16));
    }
}

/* ---- the kernel --------------------------------------------------------------------- */

/* C (R, nr) = alpha a (R, kc) b (kc, nr) + beta C, beta 0: C not read. a is packed
 * a[k R + r] (row stride of the packed block: R), b is packed b[k 32 + j]; masks m0, m1
 * select the nr columns of C. R (rows) and V (vectors of 16 columns: 2, or 1 for a last
 * panel of at most 16 columns) are constants in each instance below, so the accumulators
 * live in registers. */
__attribute__((target("avx512f"), always_inline)) static inline void
kernel_body(const int R, const int V, int kc, const float *a, const float *b, float *c,
            ptrdiff_t ldc, __mmask16 m0, __mmask16 m1, float alpha, float beta)
{
    __m512 c0[MR], c1[MR];
#pragma GCC unroll 16
    for (int r = 0; r < R; r++) {   /* C's rows are far apart: fetch them while we sum */
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + r * ldc + 16 * V - 1), _MM_HINT_T0);
        c0[r] = _mm512_setzero_ps();
        c1[r] = _mm512_setzero_ps();
    }
    for (int k = 0; k < kc; k++) {
        __m512 b0 = _mm512_load_ps(b + k * NR);
        __m512 b1 = V > 1 ? _mm512_load_ps(b + k * NR + 16) : b0;
        const float *ak = a + k * R;
#pragma GCC unroll 16
        for (int r = 0; r < R; r++) {
            __m512 s = _mm512_set1_ps(ak[r]);
            c0[r] = _mm512_fmadd_ps(s, b0, c0[r]);
            if (V > 1)
                c1[r] = _mm512_fmadd_ps(s, b1, c1[r]);
        }
    }
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
        float *cr = c + r * ldc;
        __m512 x0 = _mm512_mul_ps(va, c0[r]);
        if (beta != 0.0f)
            x0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, cr), x0);
        _mm512_mask_storeu_ps(cr, m0, x0);
        if (V > 1) {
            __m512 x1 = _mm512_mul_ps(va, c1[r]);
            if (beta != 0.0f)
                x1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, cr + 16), x1);
            _mm512_mask_storeu_ps(cr + 16, m1, x1);
        }
    }
}

typedef void (*kernel_fn)(int kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                          __mmask16 m0, __mmask16 m1, float alpha, float beta);

#define KERNEL(R, V)                                                                       \
    __attribute__((target("avx512f"))) static void kernel_##R##_##V(                      \
        int kc, const float *a, const float *b, float *c, ptrdiff_t ldc, __mmask16 m0,   \
        __mmask16 m1, float alpha, float beta)                                            \
    {                                                                                      \
        kernel_body(R, V, kc, a, b, c, ldc, m0, m1, alpha, beta);                         \
    }
#define KERNELS(R) KERNEL(R, 1) KERNEL(R, 2)
KERNELS(1) KERNELS(2) KERNELS(3) KERNELS(4) KERNELS(5) KERNELS(6) KERNELS(7)
KERNELS(8) KERNELS(9) KERNELS(10) KERNELS(11) KERNELS(12) KERNELS(13) KERNELS(14)

/* kernels[V - 1][R] */
#define K1(R) kernel_##R##_1
#define K2(R) kernel_##R##_2
static const kernel_fn kernels[2][MR + 1] = {
    { NULL, K1(1), K1(2), K1(3), K1(4), K1(5), K1(6), K1(7), K1(8), K1(9), K1(10), K1(11),
      K1(12), K1(13), K1(14) },
    { NULL, K2(1), K2(2), K2(3), K2(4), K2(5), K2(6), K2(7), K2(8), K2(9), K2(10), K2(11),
      K2(12), K2(13), K2(14) },
};

/* ---- the product ---------------------------------------------------------------------- */

/* One product in flight: the operands, op(A) packed, and how M is cut into blocks. */
typedef struct job {
    int transA, transB, M, N, K, lda, ldb, ldc, nblk;
    int nparts;          /* column ranges of C, one task each */
    const float *A, *B;
    float *C;
    float alpha, beta;
    float *ap;           /* op(A) packed: block i of rows [row0, row0 + R) at ap + row0 K */
    float *bp;           /* one thread: its (K, 32) panel buffer; else NULL (b_buf[thread]) */
    atomic_int packed;   /* blocks of op(A) packed so far                                */
} job;

/* scratch of a product split over the pool: packed op(A), and one (K, 32) panel of
 * op(B) per pool thread */
static float *a_buf, *b_buf[POOL_MAX];
static size_t a_cap, b_cap[POOL_MAX];
/* scratch of a one-thread product, per calling thread, so that pool threads may each
 * run their own (sgemm splits a product's columns over the pool) */
static _Thread_local float *tl_a, *tl_b;
static _Thread_local size_t tl_acap, tl_bcap;

/* *buf holds at least n floats, 64-byte aligned; 0 if it could not be allocated */
static int reserve(float **buf, size_t *cap, size_t n)
{
    if (*cap >= n)
        return 1;
    size_t bytes = (n * sizeof(float) + 63) & ~(size_t)63;
    float *p = aligned_alloc(64, bytes);
    if (!p)
        return 0;
    free(*buf);
    *buf = p;
    *cap = n;
    return 1;
}

/* rows of block i when M is cut into nblk blocks of nearly equal size; *row0 its first */
static int block_rows(int M, int nblk, int i, int *row0)
{
    int base = M / nblk, extra = M % nblk;
    *row0 = i * base + (i < extra ? i : extra);
    return base + (i < extra);
}

/* Block i of op(A) (rows row0.., R of them) packed as (K, R) k-major. */
static void pack_a_block(job *j, int i)
{
    int row0, R = block_rows(j->M, j->nblk, i, &row0);
    float *d = j->ap + (size_t)row0 * j->K;
    if (j->transA)   /* A is (K, M): row k holds op(A)'s column k */
        pack_rows(d, R, j->A + row0, j->lda, R, j->K);
    else
        pack_transposed(d, R, j->A + (ptrdiff_t)row0 * j->lda, j->lda, R, j->K);
}

/* Columns [j0, j0 + nr) of C, nr <= 32, over every block of rows: packs that panel of
 * op(B) into this thread's buffer, then runs the blocks, K in GEMM_KC steps. */
static void run_panel(const job *j, int j0, int nr, int thread)
{
    float *bp = j->bp ? j->bp : b_buf[thread];
    if (j->transB)
        pack_transposed(bp, NR, j->B + (ptrdiff_t)j0 * j->ldb, j->ldb, nr, j->K);
    else
        pack_rows(bp, NR, j->B + j0, j->ldb, nr, j->K);
    __mmask16 m0 = lanes(nr), m1 = lanes(nr - 16);
    const kernel_fn *kern = kernels[nr > 16];
    for (int k0 = 0; k0 < j->K; k0 += GEMM_KC) {
        int kc = j->K - k0 < GEMM_KC ? j->K - k0 : GEMM_KC;
        float beta = k0 == 0 ? j->beta : 1.0f;
        for (int i = 0; i < j->nblk; i++) {
            int row0, R = block_rows(j->M, j->nblk, i, &row0);
            kern[R](kc, j->ap + (size_t)row0 * j->K + (size_t)k0 * R, bp + (size_t)k0 * NR,
                    j->C + (ptrdiff_t)row0 * j->ldc + j0, j->ldc, m0, m1, j->alpha, beta);
        }
    }
}

/* Task t < nblk packs block t of op(A); task nblk + r computes the columns of part r of
 * nparts (contiguous, cut at multiples of 16 columns so the parts differ by at most 16) in
 * panels of 32, after every block of op(A) is packed (the pool hands tasks out in order, so
 * those are all taken and running). One contiguous part per thread balanced better than
 * panels handed out one by one: a thread woken late, or the last panel, left the other idle
 * for up to a panel's time (tests/bench/README.md, "Measurement history", "own sgemm"). */
static void gemm_task(void *ctx, int t, int thread)
{
    job *j = ctx;
    if (t < j->nblk) {
        pack_a_block(j, t);
        atomic_fetch_add(&j->packed, 1);
        return;
    }
    int r = t - j->nblk, n16 = (j->N + 15) / 16;
    int c0 = (int)((long)n16 * r / j->nparts) * 16, c1 = (int)((long)n16 * (r + 1) / j->nparts) * 16;
    if (c1 > j->N)
        c1 = j->N;
    for (int spin = 0; atomic_load(&j->packed) < j->nblk; spin++)
        if (spin < 4096)
            _mm_pause();
        else   /* the packer lost its core: let it run */
            sched_yield();
    for (int j0 = c0; j0 < c1; j0 += NR)
        run_panel(j, j0, c1 - j0 < NR ? c1 - j0 : NR, thread);
}

static int fits(int M, int N, int K)
{
    return M >= 1 && N >= 1 && K >= 1 && (size_t)M * K <= MAX_PACK_A &&
           (size_t)K * NR <= MAX_PACK_A;
}

int gemm_wants(int transA, int transB, int M, int N, int K, int threads)
{
    if (lt_set.gemm_mode == GEMM_OFF || !gemm_available() || !fits(M, N, K))
        return 0;
    if (lt_set.gemm_mode == GEMM_ALL)
        return 1;
    /* Faster than OpenBLAS on y = x W^T (NT) and dX = dY W (NN) from 32 rows, 64 columns
     * and K = 32; narrow products waste most of a 32-column panel; on dW = dY^T x (TN)
     * OpenBLAS is as fast or faster; TT: none in the engine. In training on 2 threads the
     * pool's threads start late between OpenBLAS's spinning dW products, so AUTO takes only
     * products that run on one thread (figures: tests/bench/README.md, "Measurement
     * history", "own sgemm"). */
    (void)transB;
    if (threads > 1)
        return 0;
    return !transA && M >= 32 && N >= 64 && K >= 32;
}

int gemm_sgemm(int transA, int transB, int M, int N, int K, float alpha, const float *A,
               int lda, const float *B, int ldb, float beta, float *C, int ldc, int threads)
{
    if (!gemm_wants(transA, transB, M, N, K, threads))
        return 0;
    /* threads > 1: pool_for's pool, pool_threads() threads (pool_get_threads) */
    int nt = threads > 1 && N > 16 ? pool_threads() : 1;
    if (nt > (N + 15) / 16)
        nt = (N + 15) / 16;
    int nblk = (M + MR - 1) / MR;
    if (nt == 1) {   /* reentrant: this thread's own buffers */
        if (!reserve(&tl_a, &tl_acap, (size_t)M * K) || !reserve(&tl_b, &tl_bcap, (size_t)K * NR))
            return 0;
        job j = { transA, transB, M, N, K, lda, ldb, ldc, nblk, 1, A, B, C, alpha, beta, tl_a,
                  tl_b, 0 };
        for (int t = 0; t < nblk + 1; t++)
            gemm_task(&j, t, 0);
        return 1;
    }
    if (!reserve(&a_buf, &a_cap, (size_t)M * K))
        return 0;
    for (int t = 0; t < pool_threads(); t++)             /* any pool thread may */
        if (!reserve(&b_buf[t], &b_cap[t], (size_t)K * NR))  /* take a part        */
            return 0;
    job j = { transA, transB, M, N, K, lda, ldb, ldc, nblk, nt, A, B, C, alpha, beta, a_buf,
              NULL, 0 };
    pool_for(nblk + nt, gemm_task, &j);
    return 1;
}

#else   /* not x86-64 with GCC/Clang: no kernel, every product goes to the caller's BLAS */

int gemm_available(void)
{
    return 0;
}

int gemm_wants(int transA, int transB, int M, int N, int K, int threads)
{
    (void)transA; (void)transB; (void)M; (void)N; (void)K; (void)threads;
    return 0;
}

int gemm_sgemm(int transA, int transB, int M, int N, int K, float alpha, const float *A,
               int lda, const float *B, int ldb, float beta, float *C, int ldc, int threads)
{
    (void)transA; (void)transB; (void)M; (void)N; (void)K; (void)alpha; (void)A; (void)lda;
    (void)B; (void)ldb; (void)beta; (void)C; (void)ldc; (void)threads;
    return 0;
}

#endif
