/* test_data.c: data sets from arrays, subsets, seeded splits and mini-batches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data.h"

static void test_from_arrays(void)
{
    float x[6] = { 1, 2, 3, 4, 5, 6 };
    int y[3] = { 2, 0, 1 };
    lt_dataset ds;
    CHECK(data_from_arrays(&ds, x, y, 3, 2, 0, 0) == LT_OK);
    CHECK(ds.n == 3 && ds.d == 2 && ds.nclass == 3 && ds.x != x && ds.x[5] == 6 && ds.y[0] == 2);
    data_free(&ds);
    CHECK(data_from_arrays(&ds, x, NULL, 3, 2, 1, 2) == LT_OK && ds.y == NULL && ds.nclass == 0);
    data_free(&ds);
    CHECK(data_from_arrays(&ds, x, NULL, 1, 6, 2, 2) == LT_ERR_SHAPE);
    CHECK(strstr(lt_errmsg(), "(2, 2)") && strstr(lt_errmsg(), "6 floats"));
    y[1] = -1;
    CHECK(data_from_arrays(&ds, x, y, 3, 2, 0, 0) == LT_ERR_VALUE && ds.x == NULL);
    CHECK(data_from_arrays(&ds, x, NULL, 3, 0, 0, 0) == LT_ERR_VALUE);
}

/* n samples whose single feature is the sample's index, label index % 3 */
static lt_dataset counting(int n, int d)
{
    float *x = malloc((size_t)n * d * sizeof *x);
    int *y = malloc((size_t)n * sizeof *y);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < d; j++) x[(size_t)i * d + j] = (float)i + 0.001f * j;
        y[i] = i % 3;
    }
    lt_dataset ds;
    CHECK(data_adopt(&ds, x, y, n, d, 0, 0) == LT_OK);
    return ds;
}

static void test_batches_cover_each_epoch(void)
{
    enum { N = 103, D = 3, B = 10 };
    lt_dataset ds = counting(N, D);
    data_batches *it = data_batches_new(&ds, B, 0, 5);
    CHECK(it != NULL && data_batches_count(it) == 11);
    int first[N], order[N];
    for (int epoch = 0; epoch < 3; epoch++) {
        int seen[N] = { 0 }, k = 0, nb = 0, rows, ok = 1;
        while ((rows = data_batches_next(it)) > 0) {
            nb++;
            CHECK(rows == (nb < 11 ? B : N % B));
            for (int i = 0; i < rows; i++) {
                int s = (int)it->x[i * D];
                ok &= s == it->idx[i] && it->x[i * D + 2] == (float)s + 0.002f && it->y[i] == s % 3;
                seen[s]++;
                order[k++] = s;
            }
        }
        CHECK(ok && nb == 11 && k == N && it->rows == 0 && it->epoch == epoch + 1);
        int once = 1;
        for (int i = 0; i < N; i++) once &= seen[i] == 1;
        CHECK(once);
        if (epoch == 0) memcpy(first, order, sizeof first);
        else CHECK(memcmp(first, order, sizeof first) != 0);   /* reshuffled */
    }
    data_batches_free(it);
    /* the same seed gives the same batches; another seed other ones */
    data_batches *a = data_batches_new(&ds, B, 0, 5), *b = data_batches_new(&ds, B, 0, 6);
    data_batches_next(a);
    data_batches_next(b);
    CHECK(memcmp(a->idx, first, B * sizeof(int)) == 0);
    CHECK(memcmp(b->idx, first, B * sizeof(int)) != 0);
    data_batches_free(a);
    data_batches_free(b);
    data_free(&ds);
}

static void test_batches_drop_last_and_into(void)
{
    enum { N = 25, D = 2, B = 8 };
    lt_dataset ds = counting(N, D);
    data_batches *it = data_batches_new(&ds, B, 1, 1);
    CHECK(data_batches_count(it) == 3);
    float x[B * D];
    int y[B], nb = 0, rows, total = 0;
    while ((rows = data_batches_next_into(it, x, y)) > 0) {
        CHECK(rows == B);
        CHECK(x[0] == (float)it->idx[0] && y[B - 1] == it->idx[B - 1] % 3);
        nb++;
        total += rows;
    }
    CHECK(nb == 3 && total == 24);
    data_batches_free(it);
    /* a batch bigger than the data set: one partial batch, or none with drop_last */
    it = data_batches_new(&ds, 100, 0, 1);
    CHECK(data_batches_next(it) == N && data_batches_next(it) == 0);
    data_batches_free(it);
    it = data_batches_new(&ds, 100, 1, 1);
    CHECK(data_batches_count(it) == 0 && data_batches_next(it) == 0);
    data_batches_free(it);
    CHECK(data_batches_new(&ds, 0, 0, 1) == NULL && strstr(lt_errmsg(), "batch size"));
    /* restart mid-epoch: the next epoch is whole again */
    it = data_batches_new(&ds, B, 0, 2);
    data_batches_next(it);
    data_batches_restart(it);
    int total2 = 0;
    while ((rows = data_batches_next(it)) > 0) total2 += rows;
    CHECK(total2 == N && it->epoch == 2);
    data_batches_free(it);
    data_free(&ds);
}

static void test_split_and_subset(void)
{
    enum { N = 50 };
    lt_dataset ds = counting(N, 2), tr, te, tr2, te2;
    CHECK(data_split(&ds, 0.2, 9, &tr, &te) == LT_OK);
    CHECK(tr.n == 40 && te.n == 10 && tr.d == 2 && te.nclass == ds.nclass);
    int seen[N] = { 0 }, ordered = 1;
    for (int i = 0; i < tr.n; i++) { seen[(int)tr.x[2 * i]]++; ordered &= !i || tr.x[2 * i] > tr.x[2 * i - 2]; }
    for (int i = 0; i < te.n; i++) { seen[(int)te.x[2 * i]]++; CHECK(te.y[i] == (int)te.x[2 * i] % 3); }
    int once = 1;
    for (int i = 0; i < N; i++) once &= seen[i] == 1;
    CHECK(once && ordered);
    CHECK(data_split(&ds, 0.2, 9, &tr2, &te2) == LT_OK);
    CHECK(memcmp(te.x, te2.x, sizeof(float) * 2 * te.n) == 0);    /* same seed, same split */
    data_free(&tr2);
    data_free(&te2);
    CHECK(data_split(&ds, 0.2, 10, &tr2, &te2) == LT_OK);
    CHECK(memcmp(te.x, te2.x, sizeof(float) * 2 * te.n) != 0);
    data_free(&tr2);
    data_free(&te2);
    data_free(&tr);
    data_free(&te);
    CHECK(data_split(&ds, 1.5, 9, &tr, &te) == LT_ERR_VALUE);
    int idx[3] = { 4, 0, 4 };
    lt_dataset sub;
    CHECK(data_subset(&sub, &ds, idx, 3) == LT_OK);
    CHECK(sub.n == 3 && sub.x[0] == 4 && sub.x[2] == 0 && sub.y[2] == 1);
    data_free(&sub);
    idx[1] = N;
    CHECK(data_subset(&sub, &ds, idx, 3) == LT_ERR_INDEX && strstr(lt_errmsg(), "50"));
    data_free(&ds);
}

int main(void)
{
    RUN(test_from_arrays);
    RUN(test_batches_cover_each_epoch);
    RUN(test_batches_drop_last_and_into);
    RUN(test_split_and_subset);
    return check_summary("data");
}
