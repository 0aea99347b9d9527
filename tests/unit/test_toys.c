/* test_toys.c: the synthetic sets have the right sizes, labels and geometry, and are
 * reproducible by seed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "toys.h"

static int same(const lt_dataset *a, const lt_dataset *b)
{
    return a->n == b->n && a->d == b->d && memcmp(a->x, b->x, sizeof(float) * a->n * a->d) == 0 &&
           (!a->y || memcmp(a->y, b->y, sizeof(int) * a->n) == 0);
}

static void test_moons(void)
{
    lt_dataset a, b, c;
    CHECK(toys_moons(&a, 1001, 0.0f, 3) == LT_OK);
    CHECK(a.n == 1001 && a.d == 2 && a.nclass == 2 && a.h == 0);
    int ok = 1, n1 = 0;
    for (int i = 0; i < a.n; i++) {
        float x = a.x[2 * i], y = a.x[2 * i + 1];
        n1 += a.y[i];
        if (a.y[i] == 0) ok &= fabsf(x * x + y * y - 1) < 1e-5f && y >= -1e-6f;
        else ok &= fabsf((1 - x) * (1 - x) + (0.5f - y) * (0.5f - y) - 1) < 1e-5f && y <= 0.5f + 1e-6f;
    }
    CHECK(ok && n1 == 500);
    CHECK(toys_moons(&b, 1001, 0.0f, 3) == LT_OK && same(&a, &b));
    CHECK(toys_moons(&c, 1001, 0.0f, 4) == LT_OK && !same(&a, &c));
    data_free(&b);
    data_free(&c);
    /* noise: distance to the noiseless curve has about the given spread */
    CHECK(toys_moons(&b, 4000, 0.1f, 3) == LT_OK);
    double s = 0;
    for (int i = 0; i < b.n; i++) {
        if (b.y[i]) continue;
        float x = b.x[2 * i], y = b.x[2 * i + 1];
        double r = sqrt(x * x + y * y) - 1;
        s += r * r;
    }
    CHECK_NEAR(sqrt(s / 2000), 0.1, 0.015);
    data_free(&a);
    data_free(&b);
    CHECK(toys_moons(&a, 0, 0.1f, 1) == LT_ERR_VALUE && a.x == NULL);
    CHECK(toys_moons(&a, 10, -1.0f, 1) == LT_ERR_VALUE);
}

static void test_spiral(void)
{
    lt_dataset a, b;
    CHECK(toys_spiral(&a, 300, 3, 1.0f, 0.0f, 7) == LT_OK);
    CHECK(a.n == 300 && a.d == 2 && a.nclass == 3);
    int ok = 1, cnt[3] = { 0 };
    for (int i = 0; i < a.n; i++) {
        float x = a.x[2 * i], y = a.x[2 * i + 1];
        double r = sqrt(x * x + y * y);
        ok &= r <= 1.0 + 1e-6;
        /* the angle is 2 pi (r + arm / 3) modulo 2 pi */
        double want = 2 * M_PI * (r + a.y[i] / 3.0), got = atan2(y, x);
        double diff = remainder(got - want, 2 * M_PI);
        if (r > 1e-3) ok &= fabs(diff) < 1e-3;
        cnt[a.y[i]]++;
    }
    CHECK(ok && cnt[0] == 100 && cnt[1] == 100 && cnt[2] == 100);
    CHECK(toys_spiral(&b, 300, 3, 1.0f, 0.0f, 7) == LT_OK && same(&a, &b));
    data_free(&a);
    data_free(&b);
    CHECK(toys_spiral(&a, 10, 0, 1.0f, 0.0f, 7) == LT_ERR_VALUE);
}

static void test_ring_and_circles(void)
{
    lt_dataset a, b;
    CHECK(toys_ring(&a, 2000, 0.05f, 1) == LT_OK);
    CHECK(a.n == 2000 && a.d == 2 && a.y == NULL && a.nclass == 0);
    double mr = 0, mx = 0, my = 0;
    for (int i = 0; i < a.n; i++) {
        mr += hypot(a.x[2 * i], a.x[2 * i + 1]);
        mx += a.x[2 * i];
        my += a.x[2 * i + 1];
    }
    CHECK_NEAR(mr / a.n, 1.0, 0.01);
    CHECK_NEAR(mx / a.n, 0.0, 0.05);
    CHECK_NEAR(my / a.n, 0.0, 0.05);
    CHECK(toys_ring(&b, 2000, 0.05f, 1) == LT_OK && same(&a, &b));
    data_free(&a);
    data_free(&b);
    CHECK(toys_circles(&a, 100, 0.5f, 0.0f, 2) == LT_OK && a.nclass == 2);
    int ok = 1;
    for (int i = 0; i < a.n; i++)
        ok &= fabs(hypot(a.x[2 * i], a.x[2 * i + 1]) - (a.y[i] ? 0.5 : 1.0)) < 1e-5;
    CHECK(ok);
    data_free(&a);
    CHECK(toys_circles(&a, 100, 1.0f, 0.0f, 2) == LT_ERR_VALUE);
}

static void test_gaussians8(void)
{
    lt_dataset a;
    CHECK(toys_gaussians8(&a, 8000, 2.0f, 0.02f, 5) == LT_OK);
    CHECK(a.n == 8000 && a.d == 2 && a.nclass == 8);
    double mx[8] = { 0 }, my[8] = { 0 }, v = 0;
    for (int i = 0; i < a.n; i++) {
        mx[a.y[i]] += a.x[2 * i] / 1000.0;
        my[a.y[i]] += a.x[2 * i + 1] / 1000.0;
    }
    for (int k = 0; k < 8; k++) {
        CHECK_NEAR(mx[k], 2 * cos(k * M_PI / 4), 0.005);
        CHECK_NEAR(my[k], 2 * sin(k * M_PI / 4), 0.005);
    }
    for (int i = 0; i < a.n; i++) {
        double dx = a.x[2 * i] - mx[a.y[i]];
        v += dx * dx;
    }
    CHECK_NEAR(sqrt(v / a.n), 0.02, 0.002);
    data_free(&a);
}

static void test_gmm1d(void)
{
    const float means[2] = { -2.0f, 3.0f }, stds[2] = { 0.5f, 1.0f }, w[2] = { 1.0f, 3.0f };
    lt_dataset a, b;
    CHECK(toys_gmm1d(&a, 20000, 2, means, stds, w, 11) == LT_OK);
    CHECK(a.n == 20000 && a.d == 1 && a.nclass == 2);
    int n1 = 0;
    double m[2] = { 0 }, s[2] = { 0 };
    for (int i = 0; i < a.n; i++) { n1 += a.y[i]; m[a.y[i]] += a.x[i]; }
    int cnt[2] = { a.n - n1, n1 };
    for (int j = 0; j < 2; j++) m[j] /= cnt[j];
    for (int i = 0; i < a.n; i++) s[a.y[i]] += (a.x[i] - m[a.y[i]]) * (a.x[i] - m[a.y[i]]);
    CHECK_NEAR(n1 / 20000.0, 0.75, 0.015);
    CHECK_NEAR(m[0], -2.0, 0.03);
    CHECK_NEAR(m[1], 3.0, 0.03);
    CHECK_NEAR(sqrt(s[0] / cnt[0]), 0.5, 0.02);
    CHECK_NEAR(sqrt(s[1] / cnt[1]), 1.0, 0.02);
    CHECK(toys_gmm1d(&b, 20000, 2, means, stds, w, 11) == LT_OK && same(&a, &b));
    data_free(&a);
    data_free(&b);
    CHECK(toys_gmm1d(&a, 100, 2, means, stds, NULL, 11) == LT_OK && a.nclass == 2);
    data_free(&a);
    const float bad[2] = { 1.0f, -1.0f };
    CHECK(toys_gmm1d(&a, 100, 2, means, bad, NULL, 11) == LT_ERR_VALUE && strstr(lt_errmsg(), "std 1"));
    CHECK(toys_gmm1d(&a, 100, 2, means, stds, bad, 11) == LT_ERR_VALUE && strstr(lt_errmsg(), "weight 1"));
    CHECK(toys_gmm1d(&a, 100, 0, means, stds, NULL, 11) == LT_ERR_VALUE && a.x == NULL);
}

int main(void)
{
    RUN(test_moons);
    RUN(test_spiral);
    RUN(test_ring_and_circles);
    RUN(test_gaussians8);
    RUN(test_gmm1d);
    return check_summary("toys");
}
