#ifndef FER_PACKED_GEMM_SHARED_H
#define FER_PACKED_GEMM_SHARED_H
/* What the AVX-512 (packed_gemm.c) and AVX2 (packed_gemm_avx2.c) packed
   SGEMMs share: matrix layouts, and the AVX2 entry points that the public
   functions of packed_gemm.c dispatch to. */
#include <string.h>
#include "dispatch.h"
#include "fer_kernels.h"

/* Depth of one packed block, for both kernels (FERTensor slices column
   matrices 256 rows deep to match). */
#define FER_PACKED_KC 256

/* Offset of column j within a row of `layout`. */
static inline long column_offset(fer_matrix_layout layout, long j) {
    return layout.block ? (j / layout.block) * layout.block_stride + j % layout.block : j;
}

/* How many columns from j on (at most `limit`) are contiguous in memory. */
static inline long column_run(fer_matrix_layout layout, long j, long limit) {
    return layout.block ? fer_min(limit, layout.block - j % layout.block) : limit;
}

/* C[rows x columns] = beta * C (beta 0 writes zeros without reading C). */
static inline void scale_matrix(float *c, fer_matrix_layout layout, long rows, long columns, float beta) {
    for (long i = 0; i < rows; ++i) {
        float *line = c + i * layout.ld;
        for (long j = 0; j < columns;) {
            const long run = column_run(layout, j, columns - j);
            float *x = line + column_offset(layout, j);
            if (beta == 0.0f) {
                memset(x, 0, (size_t)run * sizeof(float));
            } else {
                for (long t = 0; t < run; ++t) x[t] *= beta;
            }
            j += run;
        }
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define FER_HAS_AVX2_PACKED_GEMM 1
/* The AVX2+FMA kernel (6 x 16 micro-tiles), with the arguments of
   fer_packed_gemm_layouts / _pack_a / _prepacked; `prepacked_a` NULL packs A. */
long fer_avx2_gemm_scratch_count(long m, long k);
long fer_avx2_gemm_packed_a_count(long m, long k);
void fer_avx2_gemm_pack_a(int trans_a, long m, long k, const float *a, fer_matrix_layout a_layout, float *packed);
void fer_avx2_gemm(int trans_a, int trans_b, long m, long n, long k, const float *a, fer_matrix_layout a_layout,
                   const float *prepacked_a, const float *b, fer_matrix_layout b_layout, float beta, float *c,
                   fer_matrix_layout c_layout, float *scratch);
#else
#define FER_HAS_AVX2_PACKED_GEMM 0
#endif
#endif
