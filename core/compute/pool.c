/* pool.c: the engine's thread pool (see pool.h). */
#include "pool.h"
#include "settings.h"

#include <cblas.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

/* ---- the pool ------------------------------------------------------------------------------ */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    int started;        /* workers running (they never exit) */
    int failed;         /* a worker could not be started: run inline from now on */
    long gen;           /* bumped for each parallel for */
    int want;           /* threads taking part in the current call (incl. the caller) */
    int active;         /* workers of the current call not yet finished */
    pool_fn fn;
    void *ctx;
    int n;
    atomic_int next;    /* the next task to hand out */
} pool = { .mu = PTHREAD_MUTEX_INITIALIZER, .go = PTHREAD_COND_INITIALIZER,
            .done = PTHREAD_COND_INITIALIZER };

static _Atomic int in_parallel;   /* 1 while a parallel for runs: sgemm_nested runs products serially */
static atomic_long gen_seen;      /* pool.gen, readable without the lock */
static atomic_int active_seen;    /* pool.active, likewise */

/* Before sleeping on a condition variable, a worker waiting for the next call (and the
 * caller waiting for the workers) polls this many times with sched_yield, ~0.2 ms. An MLP
 * step makes 20-40 short parallel calls (products cut by columns, element loops), and
 * waking a sleeping worker for each cost more than the work (figures:
 * tests/bench/README.md, "Measurement history", "pool polling"). */
#define SPIN_YIELDS 400

static void run_tasks(int thread)
{
    int i;
    while ((i = atomic_fetch_add(&pool.next, 1)) < pool.n)
        pool.fn(pool.ctx, i, thread);
}

static void *worker(void *arg)
{
    int id = (int)(size_t)arg;   /* 1 .. POOL_MAX - 1 */
    long seen = 0;
    pthread_mutex_lock(&pool.mu);
    for (;;) {
        pthread_mutex_unlock(&pool.mu);
        for (int k = 0; k < SPIN_YIELDS && atomic_load(&gen_seen) == seen; k++)
            sched_yield();
        pthread_mutex_lock(&pool.mu);
        while (pool.gen == seen)
            pthread_cond_wait(&pool.go, &pool.mu);
        seen = pool.gen;
        if (id >= pool.want)
            continue;   /* not needed this time */
        pthread_mutex_unlock(&pool.mu);
        run_tasks(id);
        pthread_mutex_lock(&pool.mu);
        atomic_store(&active_seen, pool.active - 1);
        if (--pool.active == 0)
            pthread_cond_signal(&pool.done);
    }
    return NULL;
}

void pool_set_threads(int n)
{
    lt_set.threads = n < 1 ? 1 : n;
}

int pool_get_threads(void)
{
    if (!lt_set.threads) {
        lt_set.threads = openblas_get_num_threads();
        if (lt_set.threads < 1)
            lt_set.threads = 1;
    }
    return lt_set.threads;
}

int pool_threads(void)
{
    int t = pool_get_threads();
    return t < 1 ? 1 : t > POOL_MAX ? POOL_MAX : t;
}

int pool_in_parallel(void)
{
    return atomic_load(&in_parallel);
}

/* Starts workers up to want - 1; 0 if that failed (then everything runs inline). */
static int ensure_workers(int want)
{
    while (!pool.failed && pool.started < want - 1) {
        pthread_t th;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&th, &at, worker, (void *)(size_t)(pool.started + 1)) != 0)
            pool.failed = 1;
        else
            pool.started++;
        pthread_attr_destroy(&at);
    }
    return !pool.failed;
}

void pool_for(int n, pool_fn fn, void *ctx)
{
    int want = pool_threads();
    if (want > n)
        want = n;
    /* nested (a task's own loop): inline, on the task's thread */
    if (want < 2 || atomic_load(&in_parallel) || !ensure_workers(want)) {
        for (int i = 0; i < n; i++)
            fn(ctx, i, 0);
        return;
    }
    int blas = openblas_get_num_threads();
    if (blas != 1)
        openblas_set_num_threads(1);
    atomic_store(&in_parallel, 1);
    pthread_mutex_lock(&pool.mu);
    pool.fn = fn;
    pool.ctx = ctx;
    pool.n = n;
    atomic_store(&pool.next, 0);
    pool.want = want;
    pool.active = want - 1;
    atomic_store(&active_seen, want - 1);
    pool.gen++;
    atomic_store(&gen_seen, pool.gen);
    pthread_cond_broadcast(&pool.go);
    pthread_mutex_unlock(&pool.mu);
    run_tasks(0);
    for (int k = 0; k < SPIN_YIELDS && atomic_load(&active_seen) > 0; k++)
        sched_yield();
    pthread_mutex_lock(&pool.mu);
    while (pool.active > 0)
        pthread_cond_wait(&pool.done, &pool.mu);
    pthread_mutex_unlock(&pool.mu);
    atomic_store(&in_parallel, 0);
    if (blas != 1)
        openblas_set_num_threads(blas);
}

int pool_parts(int n) { return n < 1 ? 1 : n < POOL_MAX ? n : POOL_MAX; }

typedef struct parts_job {
    pool_part_fn fn;
    void *ctx;
    int n, parts;
} parts_job;

static void parts_task(void *c, int p, int thread)
{
    const parts_job *j = c;
    int lo = (int)((long)p * j->n / j->parts), hi = (int)((long)(p + 1) * j->n / j->parts);
    for (int i = lo; i < hi; i++)
        j->fn(j->ctx, i, thread, p);
}

void pool_for_parts(int n, pool_part_fn fn, void *ctx)
{
    parts_job j = { fn, ctx, n, pool_parts(n) };
    pool_for(j.parts, parts_task, &j);
}
