/* test_data_parts.c: float targets through subsets, splits, shuffles and mini-batches,
 * sample shapes, and the bundled digits' fixed split (core/data/data_parts.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data.h"
#include "mt.h"

/* n samples of 2 floats (i, -i) with targets (n, 3) = (i, 10 i, 100 i). */
static lt_status make(lt_dataset *d, int n)
{
    float *x = malloc((size_t)n * 2 * sizeof *x), *t = malloc((size_t)n * 3 * sizeof *t);
    for (int i = 0; i < n; i++) {
        x[2 * i] = (float)i; x[2 * i + 1] = (float)-i;
        t[3 * i] = (float)i; t[3 * i + 1] = 10.0f * i; t[3 * i + 2] = 100.0f * i;
    }
    lt_status st = data_adopt(d, x, NULL, n, 2, 0, 0);
    if (st != LT_OK) { free(t); return st; }
    return data_set_targets(d, t, 3, 1, (int[]){3});
}

/* Every row of d still pairs sample i with its target i. */
static int rows_agree(const lt_dataset *d)
{
    for (int r = 0; r < d->n; r++) {
        float i = d->x[2 * r];
        if (d->x[2 * r + 1] != -i || d->t[3 * r] != i || d->t[3 * r + 1] != 10 * i || d->t[3 * r + 2] != 100 * i) return 0;
    }
    return 1;
}

static void test_targets(void)
{
    lt_dataset d, a, b, s;
    CHECK(make(&d, 50) == LT_OK && data_has_targets(&d) && d.k == 3 && !d.y);
    int nd, shape[4];
    data_target_shape(&d, &nd, shape);
    CHECK(nd == 2 && shape[0] == 50 && shape[1] == 3);
    data_sample_shape(&d, &nd, shape);
    CHECK(nd == 2 && shape[0] == 50 && shape[1] == 2);
    CHECK(data_split(&d, 0.2, 5, &a, &b) == LT_OK);
    CHECK(a.n == 40 && b.n == 10 && a.k == 3 && rows_agree(&a) && rows_agree(&b));
    rng r;
    rng_seed(&r, 1);
    CHECK(data_shuffle(&s, &d, 7, &r) == LT_OK && rows_agree(&s));
    int perm[50];
    mt_permutation(7, perm, 50);
    CHECK(s.x[0] == (float)perm[0] && s.x[2 * 49] == (float)perm[49]);   /* NumPy's order */
    data_batches *it = data_batches_new(&d, 16, 0, 3);
    int rows, seen = 0, ok = 1;
    while ((rows = data_batches_next(it)) > 0) {
        for (int i = 0; i < rows; i++) ok &= it->t[3 * i + 1] == 10 * it->x[2 * i];
        seen += rows;
    }
    CHECK(ok && seen == 50);
    data_batches_free(it);
    data_free(&a); data_free(&b); data_free(&s);
    /* labels and targets together are refused, and the targets are freed */
    lt_dataset l;
    int *y = calloc(4, sizeof *y);
    CHECK(data_adopt(&l, calloc(8, sizeof(float)), y, 4, 2, 0, 0) == LT_OK);
    CHECK(data_set_targets(&l, malloc(4 * sizeof(float)), 1, 0, NULL) == LT_ERR_VALUE && !l.t);
    CHECK(data_set_targets(&d, malloc(50 * 4 * sizeof(float)), 4, 2, (int[]){3, 2}) == LT_ERR_SHAPE && d.k == 3);
    CHECK(data_set_sample_shape(&l, 2, (int[]){1, 2}) == LT_OK && l.xndim == 2);
    data_sample_shape(&l, &nd, shape);
    CHECK(nd == 3 && shape[0] == 4 && shape[1] == 1 && shape[2] == 2);
    CHECK(data_set_sample_shape(&l, 1, (int[]){3}) == LT_ERR_SHAPE);
    data_free(&l);
    data_free(&d);
    data_free(&d);   /* twice is safe */
}

static void test_mnist_parts(void)
{
    lt_dataset all, tr, te;
    if (data_mnist_part(&all, -1) != LT_OK) { CHECK(0); fprintf(stderr, "%s\n", lt_errmsg()); return; }
    CHECK(data_mnist_part(&tr, 1) == LT_OK && data_mnist_part(&te, 0) == LT_OK);
    CHECK(all.n == 10000 && tr.n == 9000 && te.n == DATA_MNIST_HELD_OUT && tr.nclass == 10 && te.h == 28);
    int perm[10000], held[10000] = {0}, counts[10] = {0};
    mt_permutation(0, perm, 10000);
    for (int i = 0; i < DATA_MNIST_HELD_OUT; i++) held[perm[i]] = 1;
    /* the test part is the held-out digits in file order, the train part the others */
    int ti = 0, ri = 0, ok = 1;
    for (int i = 0; i < 10000; i++) {
        const lt_dataset *p = held[i] ? &te : &tr;
        int at = held[i] ? ti++ : ri++;
        ok &= memcmp(p->x + (size_t)at * 784, all.x + (size_t)i * 784, 784 * sizeof(float)) == 0;
        ok &= p->y[at] == all.y[i];
        if (held[i]) counts[all.y[i]]++;
    }
    CHECK(ok && ti == 1000 && ri == 9000);
    for (int c = 0; c < 10; c++) CHECK(counts[c] > 70 && counts[c] < 130);   /* every digit is tested */
    data_free(&all); data_free(&tr); data_free(&te);
}

int main(void)
{
    RUN(test_targets);
    RUN(test_mnist_parts);
    return check_summary("data_parts");
}
