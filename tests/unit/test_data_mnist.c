/* test_data_mnist.c: the bundled MNIST (SHA256SUMS, per-class counts, values, where it
 * is found) and Fashion-MNIST when Debian's dataset-fashion-mnist is installed (else
 * only its error message is checked). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data.h"

static void test_mnist_checksums(void)
{
    /* the committed files are the ones SHA256SUMS names (the same bytes as the
     * PyTorch reference's json2idx.py output) */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s/share/data/mnist' && sha256sum --quiet -c SHA256SUMS",
             LATENT_SOURCE_DIR);
    CHECK(system(cmd) == 0);
}

static void test_mnist(void)
{
    lt_dataset ds;
    lt_status st = data_mnist(&ds);
    CHECK(st == LT_OK);
    if (st != LT_OK) {
        fprintf(stderr, "%s\n", lt_errmsg());
        return;
    }
    CHECK(ds.n == 10000 && ds.d == 784 && ds.h == 28 && ds.w == 28 && ds.nclass == 10 && ds.y);
    const int want[10] = { 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 };
    int count[10] = { 0 }, sorted = 1, inrange = 1;
    for (int i = 0; i < ds.n; i++) {
        count[ds.y[i]]++;
        if (i && ds.y[i] < ds.y[i - 1]) sorted = 0;
    }
    for (int k = 0; k < 10; k++) CHECK(count[k] == want[k]);
    CHECK(sorted);   /* class-sorted, as the JSON files and the reference */
    double sum = 0;
    float lo = 1, hi = 0;
    for (size_t i = 0; i < (size_t)ds.n * ds.d; i++) {
        float v = ds.x[i];
        if (!(v >= 0.0f && v <= 1.0f)) inrange = 0;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        sum += v;
    }
    CHECK(inrange && lo == 0.0f && hi == 1.0f);
    /* MNIST's mean intensity is about 0.13 */
    CHECK_NEAR(sum / ((double)ds.n * ds.d), 0.13, 0.01);
    /* every image has ink, and pixels are k / 255 exactly as torch's .div_(255.0) */
    int blank = 0, exact = 1;
    for (int i = 0; i < ds.n; i++) {
        double s = 0;
        for (int j = 0; j < ds.d; j++) {
            float v = ds.x[(size_t)i * ds.d + j];
            s += v;
            if (v != (float)(int)(v * 255.0f + 0.5f) / 255.0f) exact = 0;
        }
        if (s < 10) blank++;
    }
    CHECK(blank == 0 && exact);
    data_free(&ds);
    CHECK(ds.x == NULL && ds.y == NULL);
    data_free(&ds);   /* twice is harmless */
}

static void test_mnist_dir_env(void)
{
    char dir[4096];
    CHECK(data_mnist_dir(dir, sizeof dir) == LT_OK);
    setenv("LATENT_DATA_DIR", LATENT_SOURCE_DIR "/share/data", 1);
    CHECK(data_mnist_dir(dir, sizeof dir) == LT_OK);
    CHECK_STR(dir, LATENT_SOURCE_DIR "/share/data/mnist");
    /* a data dir without mnist/ falls through to the next place, which holds it */
    setenv("LATENT_DATA_DIR", "/nonexistent-latent-dir", 1);
    CHECK(data_mnist_dir(dir, sizeof dir) == LT_OK);
    CHECK(strstr(dir, "/nonexistent") == NULL);
    unsetenv("LATENT_DATA_DIR");
}

static void test_fashion(void)
{
    lt_dataset ds;
    setenv("LATENT_FASHION_DIR", "/nonexistent-fashion", 1);
    CHECK(!data_fashion_mnist_available());
    CHECK(data_fashion_mnist(&ds, 1) == LT_ERR_IO && ds.x == NULL);
    CHECK(strstr(lt_errmsg(), "/nonexistent-fashion/train-images-idx3-ubyte.gz not found"));
    CHECK(strstr(lt_errmsg(), "install the Debian package dataset-fashion-mnist"));
    unsetenv("LATENT_FASHION_DIR");
    if (!data_fashion_mnist_available()) {
        CHECK(data_fashion_mnist(&ds, 0) == LT_ERR_IO);
        CHECK(strstr(lt_errmsg(), "install the Debian package dataset-fashion-mnist") != NULL);
        printf("fashion-mnist not installed: checked the error only (%s)\n", lt_errmsg());
        return;
    }
    CHECK(data_fashion_mnist(&ds, 0) == LT_OK);
    CHECK(ds.n == 10000 && ds.d == 784 && ds.h == 28 && ds.w == 28 && ds.nclass == 10);
    int count[10] = { 0 };
    for (int i = 0; i < ds.n; i++) count[ds.y[i]]++;
    for (int k = 0; k < 10; k++) CHECK(count[k] == 1000);   /* balanced test set */
    data_free(&ds);
    CHECK(data_fashion_mnist(&ds, 1) == LT_OK);
    CHECK(ds.n == 60000 && ds.d == 784 && ds.nclass == 10);
    data_free(&ds);
}

static void test_idx_pair_mismatch(void)
{
    lt_dataset ds;
    char img[1024], lab[1024];
    snprintf(img, sizeof img, "%s/share/data/mnist/t10k-images-idx3-ubyte.gz", LATENT_SOURCE_DIR);
    snprintf(lab, sizeof lab, "%s/share/data/mnist/t10k-labels-idx1-ubyte.gz", LATENT_SOURCE_DIR);
    CHECK(data_idx(&ds, img, NULL) == LT_OK && ds.y == NULL && ds.n == 10000);
    data_free(&ds);
    if (data_fashion_mnist_available()) {
        CHECK(data_idx(&ds, img, "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz") == LT_ERR_SHAPE);
        CHECK(strstr(lt_errmsg(), "10000 images") && strstr(lt_errmsg(), "60000 labels"));
        CHECK(ds.x == NULL);
    }
    CHECK(data_idx(&ds, lab, NULL) == LT_ERR_FORMAT);
}

int main(void)
{
    RUN(test_mnist_checksums);
    RUN(test_mnist);
    RUN(test_mnist_dir_env);
    RUN(test_fashion);
    RUN(test_idx_pair_mismatch);
    return check_summary("data_mnist");
}
