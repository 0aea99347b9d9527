/* test_mem.c: the tensor memory account and its limit (core/base/mem.h): sizes parsed as a
 * lecturer writes them, heap tensors and graph arenas counted and given back, an
 * allocation past the limit failing with a message that names the size, the limit and
 * LATENT_MEM_LIMIT, and everything usable again once memory is freed. */
#include <string.h>

#include "check.h"
#include "graph.h"
#include "mem.h"
#include "tensor.h"

#define MIB ((size_t)1 << 20)

static size_t parsed(const char *text)
{
    size_t bytes = 12345;
    return mem_parse_size(text, &bytes) == LT_OK ? bytes : (size_t)-1;
}

static void test_parse_size(void)
{
    CHECK(parsed("512M") == 512 * MIB);
    CHECK(parsed("2G") == 2048 * MIB);
    CHECK(parsed("2g") == 2048 * MIB);
    CHECK(parsed("1.5GiB") == 1536 * MIB);
    CHECK(parsed(" 64 MB ") == 64 * MIB);
    CHECK(parsed("4000000000") == 4000000000u);
    CHECK(parsed("1T") == 1024 * 1024 * MIB);
    CHECK(parsed("none") == 0);
    CHECK(parsed("0") == 0);
    CHECK(parsed("OFF") == 0);
    size_t phys = mem_physical();
    CHECK(phys > 0);
    CHECK(parsed("50%") == phys / 2 || parsed("50%") == phys / 2 + 1);
    const char *bad[] = { "", "-1G", "G", "2X", "1e30", "nan", "inf", "150%", "2G2", "0.5" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK(parsed(bad[i]) == (size_t)-1);
        CHECK(strstr(lt_errmsg(), "\"512M\"") != NULL);   /* says what is valid */
    }
}

static void test_format(void)
{
    char b[32];
    CHECK_STR(mem_format(100, b, sizeof b), "100 bytes");
    CHECK_STR(mem_format(1536, b, sizeof b), "1.50 KiB");
    CHECK_STR(mem_format(400000000, b, sizeof b), "381 MiB");
    CHECK_STR(mem_format(2048 * MIB, b, sizeof b), "2.00 GiB");
}

/* heap tensors: counted while alive (views share the count), failing past the limit */
static void test_tensor_limit(void)
{
    size_t base = mem_used();
    mem_set_limit(base + 10 * MIB);
    int four_mib[2] = { 1024, 1024 };
    lt_tensor *a = tensor_new(2, four_mib), *b = tensor_new(2, four_mib);
    CHECK(a && b);
    CHECK(mem_used() == base + 8 * MIB);
    lt_tensor *kept = tensor_keep(a);   /* shares a's buffer: no new memory */
    CHECK(mem_used() == base + 8 * MIB);
    CHECK(tensor_new(2, four_mib) == NULL);
    CHECK(strstr(lt_errmsg(), "tensor: 4.00 MiB more") != NULL);
    CHECK(strstr(lt_errmsg(), "limit of 10.0 MiB") != NULL);
    CHECK(strstr(lt_errmsg(), "LATENT_MEM_LIMIT") != NULL);
    CHECK(mem_used() == base + 8 * MIB);   /* the failure counted nothing */
    tensor_free(a);
    CHECK(mem_used() == base + 8 * MIB);   /* kept still holds it */
    tensor_free(kept);
    tensor_free(b);
    CHECK(mem_used() == base);
    lt_tensor *c = tensor_new(2, four_mib);   /* room again */
    CHECK(c != NULL);
    tensor_free(c);
    CHECK(mem_peak() >= base + 8 * MIB);
    mem_set_limit(0);
}

/* graph arenas: a step past the limit fails, the graph stays usable, freeing gives back */
static void test_graph_limit(void)
{
    size_t base = mem_used();
    mem_set_limit(base + 16 * MIB);
    lt_graph *g = graph_new();
    CHECK(graph_alloc(g, 6 * MIB) != NULL);
    CHECK(mem_used() > base);
    CHECK(graph_alloc(g, 12 * MIB) == NULL);   /* 6 + 12 > 16 */
    CHECK(strstr(lt_errmsg(), "limit of 16.0 MiB") != NULL);
    CHECK(graph_alloc(g, 4 * MIB) != NULL);    /* the doubled block does not fit, this does */
    CHECK(mem_used() <= base + 16 * MIB);
    graph_reset(g);
    CHECK(graph_alloc(g, 8 * MIB) != NULL);
    graph_free(g);
    CHECK(mem_used() == base);
    mem_set_limit(0);
}

/* layer weights and optimizer state: counted while alive, failing past the limit */
static void test_alloc_limit(void)
{
    size_t base = mem_used();
    mem_set_limit(base + 10 * MIB);
    float *w = mem_alloc(4 * MIB, 1, "linear(1024, 1024)");
    CHECK(w != NULL && w[0] == 0 && w[MIB - 1] == 0);
    CHECK(((size_t)w & 15) == 0);
    CHECK(mem_used() == base + 4 * MIB);
    CHECK(mem_alloc(8 * MIB, 0, "adam") == NULL);
    CHECK(strstr(lt_errmsg(), "adam: 8.00 MiB more") != NULL);
    CHECK(mem_used() == base + 4 * MIB);
    mem_free(w);
    mem_free(NULL);
    CHECK(mem_used() == base);
    CHECK(mem_alloc((size_t)-1, 0, "huge") == NULL);
    mem_set_limit(0);
}

int main(void)
{
    RUN(test_parse_size);
    RUN(test_format);
    RUN(test_tensor_limit);
    RUN(test_graph_limit);
    RUN(test_alloc_limit);
    return check_summary("mem");
}
