/* mem.c: the process's tensor memory account and its limit (mem.h). */
#include "mem.h"
#include "settings.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_size_t mem_used_bytes;
static atomic_size_t mem_peak_bytes;

static void mem_note_peak(size_t now)
{
    size_t peak = atomic_load(&mem_peak_bytes);
    while (now > peak && !atomic_compare_exchange_weak(&mem_peak_bytes, &peak, now))
        ;
}

lt_status mem_reserve(size_t bytes, const char *what)
{
    size_t limit = atomic_load(&lt_set.mem_limit);
    size_t used = atomic_load(&mem_used_bytes);
    do {
        if (limit && (bytes > limit || used > limit - bytes)) {
            char b[32], t[32], l[32], u[32];
            return lt_fail(LT_ERR_NOMEM,
                           "%s: %s more would take this kernel's tensor memory to %s, over its "
                           "limit of %s (%s in use); free variables you no longer need, or "
                           "raise the limit with LATENT_MEM_LIMIT (e.g. \"8G\" or \"50%%\") "
                           "in the kernelspec's env or the environment, then restart the kernel",
                           what, mem_format(bytes, b, sizeof b),
                           mem_format(used + bytes < used ? (size_t)-1 : used + bytes,
                                      t, sizeof t),
                           mem_format(limit, l, sizeof l), mem_format(used, u, sizeof u));
        }
    } while (!atomic_compare_exchange_weak(&mem_used_bytes, &used, used + bytes));
    mem_note_peak(used + bytes);
    return LT_OK;
}

void mem_release(size_t bytes)
{
    atomic_fetch_sub(&mem_used_bytes, bytes);
}

/* mem_alloc's header: the size, padded so the block keeps malloc's 16-byte alignment */
typedef union mem_head {
    size_t bytes;
    max_align_t align;
} mem_head;

void *mem_alloc(size_t bytes, int zero, const char *what)
{
    if (bytes > (size_t)-1 - sizeof(mem_head)) {
        lt_fail(LT_ERR_NOMEM, "%s: %zu bytes is more than any memory", what, bytes);
        return NULL;
    }
    if (mem_reserve(bytes, what) != LT_OK)
        return NULL;
    mem_head *h = zero ? calloc(1, sizeof *h + bytes) : malloc(sizeof *h + bytes);
    if (!h) {
        char b[32];
        mem_release(bytes);
        lt_fail(LT_ERR_NOMEM, "%s: out of memory for %s", what, mem_format(bytes, b, sizeof b));
        return NULL;
    }
    h->bytes = bytes;
    return h + 1;
}

void mem_free(void *p)
{
    if (!p)
        return;
    mem_head *h = (mem_head *)p - 1;
    mem_release(h->bytes);
    free(h);
}

size_t mem_used(void) { return atomic_load(&mem_used_bytes); }
size_t mem_peak(void) { return atomic_load(&mem_peak_bytes); }
void mem_peak_reset(void) { atomic_store(&mem_peak_bytes, atomic_load(&mem_used_bytes)); }
size_t mem_limit(void) { return atomic_load(&lt_set.mem_limit); }
void mem_set_limit(size_t bytes) { atomic_store(&lt_set.mem_limit, bytes); }

/* ---- sizes ------------------------------------------------------------------------------ */

static int mem_suffix_power(const char *s, int *power)
{
    static const char units[] = "KMGT";
    *power = 0;
    if (*s) {
        const char *u = strchr(units, toupper((unsigned char)*s));
        if (u) {
            *power = (int)(u - units) + 1;
            s++;
            if (*s == 'i' || *s == 'I')
                s++;
        }
        if (*s == 'b' || *s == 'B')
            s++;
    }
    while (isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

static lt_status mem_bad_size(const char *text)
{
    return lt_fail(LT_ERR_VALUE,
                   "memory limit \"%s\" is not a size: give bytes with an optional K, M, G or "
                   "T suffix (\"512M\", \"2G\", \"1.5GiB\"), a share of physical memory "
                   "(\"25%%\"), or \"none\"", text);
}

lt_status mem_parse_size(const char *text, size_t *bytes)
{
    while (isspace((unsigned char)*text))
        text++;
    if (!strcmp(text, "0") || !strcasecmp(text, "none") || !strcasecmp(text, "off")) {
        *bytes = 0;
        return LT_OK;
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno || !isfinite(v) || v <= 0)
        return mem_bad_size(text);
    while (isspace((unsigned char)*end))
        end++;
    double scaled;
    if (*end == '%') {
        size_t phys = mem_physical();
        if (v > 100 || strspn(end + 1, " \t") != strlen(end + 1) || phys == 0)
            return mem_bad_size(text);
        scaled = v / 100 * (double)phys;
    } else {
        int power;
        if (!mem_suffix_power(end, &power))
            return mem_bad_size(text);
        scaled = v * pow(1024, power);
    }
    if (scaled < 1 || scaled >= 0x1p63)
        return mem_bad_size(text);
    *bytes = (size_t)scaled;
    return LT_OK;
}

/* cgroup v2's memory.max of this process ("max" or unreadable: 0) */
static size_t mem_cgroup_max(void)
{
    FILE *f = fopen("/proc/self/cgroup", "r");
    char line[512], path[600];
    size_t limit = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "0::", 3))
            continue;
        line[strcspn(line, "\n")] = '\0';
        snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.max", line + 3);
        FILE *m = fopen(path, "r");
        unsigned long long v;
        if (m && fscanf(m, "%llu", &v) == 1)
            limit = (size_t)v;
        if (m)
            fclose(m);
    }
    fclose(f);
    return limit;
}

size_t mem_physical(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    size_t phys = pages > 0 && page > 0 ? (size_t)pages * (size_t)page : 0;
    size_t cg = mem_cgroup_max();
    if (cg && (!phys || cg < phys))
        phys = cg;
    return phys;
}

char *mem_format(size_t bytes, char *buf, size_t cap)
{
    static const char *units[] = { "KiB", "MiB", "GiB", "TiB" };
    if (bytes < 1024) {
        snprintf(buf, cap, "%zu bytes", bytes);
        return buf;
    }
    double v = (double)bytes / 1024;
    int u = 0;
    while (v >= 1024 && u < 3) {
        v /= 1024;
        u++;
    }
    snprintf(buf, cap, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}
