/* sgemm_nested.c: sgemm from inside pool tasks or outside (see sgemm.h). In its own
 * file so that its calls to sgemm cross objects: train_bench wraps sgemm at link time
 * (-Wl,--wrap=sgemm) to log every product, and a call inside sgemm.c would escape it. */
#include "sgemm.h"

#include "pool.h"

void sgemm_nested(int transA, int transB, int M, int N, int K, float alpha, const float *A,
                  int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    if (!pool_in_parallel())
        sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    else   /* the same column parts as sgemm: the same bits on any thread count */
        sgemm_serial(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
