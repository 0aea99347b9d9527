/* par.c: element loops over the engine's pool (see par.h). */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#include "par.h"

#include "pool.h"
#include "settings.h"

/* ---- par_range ---------------------------------------------------------------------------- */

int par_set_serial(int on)
{
    int old = lt_set.par_serial;
    lt_set.par_serial = on != 0;
    return old;
}

static int par_threads(void)
{
    return lt_set.par_serial ? 1 : pool_threads();
}

typedef struct range_job {
    par_range_fn body;
    void *ctx;
    size_t n, part;   /* part: elements per task, a multiple of 16 */
} range_job;

static void range_task(void *c, int i, int thread)
{
    (void)thread;
    const range_job *j = c;
    size_t lo = (size_t)i * j->part, hi = lo + j->part < j->n ? lo + j->part : j->n;
    if (lo < hi)
        j->body(j->ctx, lo, hi);
}

void par_range(size_t n, size_t min, par_range_fn body, void *ctx)
{
    int nt = par_threads();
    if (nt < 2 || n < 2 * (min ? min : 1)) {
        if (n)
            body(ctx, 0, n);
        return;
    }
    size_t part = (n + (size_t)nt - 1) / (size_t)nt;
    if (part >= 16)   /* element ranges: whole vectors (a few blocks, e.g. rng's, stay split) */
        part = (part + 15) / 16 * 16;
    range_job j = { body, ctx, n, part };
    pool_for((int)((n + part - 1) / part), range_task, &j);
}

/* ---- par_sum ------------------------------------------------------------------------------ */

#define SUM_BLOCKS 256   /* at most this many blocks */
#define SUM_BLOCK 8192   /* at least this many elements per block */

typedef struct sum_job {
    par_sum_fn part;
    void *ctx;
    size_t n, bs;        /* bs: elements per block */
    int nb, per;         /* blocks; blocks per task */
    double *out;         /* (nb) block sums */
} sum_job;

static void sum_blocks(const sum_job *j, int b0, int b1)
{
    for (int b = b0; b < b1; b++) {
        size_t lo = (size_t)b * j->bs, hi = lo + j->bs < j->n ? lo + j->bs : j->n;
        j->out[b] = j->part(j->ctx, lo, hi);
    }
}

static void sum_task(void *c, int i, int thread)
{
    (void)thread;
    const sum_job *j = c;
    int b0 = i * j->per, b1 = b0 + j->per < j->nb ? b0 + j->per : j->nb;
    sum_blocks(j, b0, b1);
}

double par_sum(size_t n, par_sum_fn part, void *ctx)
{
    if (n == 0)
        return 0.0;
    double out[SUM_BLOCKS];
    size_t bs = (n + SUM_BLOCKS - 1) / SUM_BLOCKS;
    bs = bs < SUM_BLOCK ? SUM_BLOCK : (bs + 15) / 16 * 16;
    sum_job j = { part, ctx, n, bs, (int)((n + bs - 1) / bs), 0, out };
    int nt = par_threads();
    if (nt < 2 || n < 2 * PAR_MIN || j.nb < 2) {
        sum_blocks(&j, 0, j.nb);
    } else {
        j.per = (j.nb + nt - 1) / nt;
        pool_for((j.nb + j.per - 1) / j.per, sum_task, &j);
    }
    double s = 0.0;
    for (int b = 0; b < j.nb; b++)
        s += out[b];
    return s;
}

/* ---- block sums --------------------------------------------------------------------------- */

/* 8 interleaved partial sums: lane k adds elements k, k + 8, ...; then ((0+1)+(2+3))+... */
static double fold8(const double *s)
{
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

double par_dsum(const float *x, size_t n)
{
    double s[8] = { 0 };
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++)
            s[k] += (double)x[i + k];
    for (int k = 0; i < n; i++, k++)
        s[k] += (double)x[i];
    return fold8(s);
}

double par_dsqdiff(const float *a, const float *b, size_t n)
{
    double s[8] = { 0 };
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) {
            double d = (double)a[i + k] - b[i + k];
            s[k] += d * d;
        }
    for (int k = 0; i < n; i++, k++) {
        double d = (double)a[i] - b[i];
        s[k] += d * d;
    }
    return fold8(s);
}

/* ---- a large normal fill over the threads --------------------------------------------------- */

typedef struct fill_job {
    float *x;
    size_t n;
    uint64_t seed;
    float mean, std;
} fill_job;

static void fill_blocks(void *c, size_t b0, size_t b1)
{
    const fill_job *j = c;
    rng_fill_normal_blocks(j->seed, j->x, j->n, b0, b1, j->mean, j->std);
}

void par_fill_normal(rng *r, float *x, size_t n, float mean, float std)
{
    if (n < RNG_PAR_MIN) {
        rng_fill_normal(r, x, n, mean, std);
        return;
    }
    fill_job j = { x, n, rng_next(r), mean, std };
    par_range((n + RNG_BLOCK - 1) / RNG_BLOCK, 2, fill_blocks, &j);
}
