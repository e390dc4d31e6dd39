// Single-threaded SGEMM with AVX-512 micro-kernels, for the medium-sized,
// oddly shaped products of convolutions (K of 64 or 147, N of a few
// hundred), where OpenBLAS spends much of its time packing.
//
// op(A) is packed into panels of MR rows ([k][MR]), op(B) into panels of NR
// columns ([k][NR], gathered when B is stored transposed); each step of the
// micro-kernel broadcasts MR values of A against NR values of B.
//
// Every element of C is the sum over k in the same order whatever m, n and
// the position of its row or column: products are batch invariant.
#include <stddef.h>
#include <string.h>
#include "dispatch.h"
#include "fer_kernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define FER_AVX512 __attribute__((target("avx512f,avx512vl,fma")))
#define FER_HAS_PACKED_GEMM 1
#else
#define FER_HAS_PACKED_GEMM 0
#endif

enum {
    MR = 8,          /* rows of C per broadcast micro-tile */
    NR = 48,         /* columns of C per broadcast micro-tile (three vectors) */
    KC = 256,        /* depth of one packed block */
};

int fer_packed_gemm_available(void) { return FER_HAS_PACKED_GEMM && fer_cpu_has_avx512(); }

long fer_packed_gemm_scratch_count(long m, long k) {
    const long panels = (m + MR - 1) / MR, depth = fer_min(k, KC);
    return (panels * MR * depth + 15) / 16 * 16 + depth * NR + MR * NR + 16;
}

/* C[rows x columns] = beta * C (beta 0 writes zeros without reading C). */
static void scale_matrix(float *c, long ldc, long rows, long columns, float beta) {
    for (long i = 0; i < rows; ++i) {
        float *line = c + i * ldc;
        if (beta == 0.0f) {
            memset(line, 0, (size_t)columns * sizeof(float));
        } else {
            for (long j = 0; j < columns; ++j) line[j] *= beta;
        }
    }
}

#if FER_HAS_PACKED_GEMM

/* Panels of MR rows of op(A)[m x kc] (from column k0), zero past row m. */
static void pack_a(int trans_a, const float *a, long lda, long m, long k0, long kc, float *packed) {
    for (long i0 = 0; i0 < m; i0 += MR) {
        float *panel = packed + (i0 / MR) * kc * MR;
        const long rows = fer_min(MR, m - i0);
        if (trans_a) {
            for (long k = 0; k < kc; ++k) {
                const float *source = a + (k0 + k) * lda + i0;
                float *target = panel + k * MR;
                for (long r = 0; r < rows; ++r) target[r] = source[r];
                for (long r = rows; r < MR; ++r) target[r] = 0.0f;
            }
        } else {
            for (long r = 0; r < MR; ++r) {
                if (r >= rows) {
                    for (long k = 0; k < kc; ++k) panel[k * MR + r] = 0.0f;
                    continue;
                }
                const float *source = a + (i0 + r) * lda + k0;
                for (long k = 0; k < kc; ++k) panel[k * MR + r] = source[k];
            }
        }
    }
}

/* One panel of B[kc x columns] (rows from k0, columns from j0), zero past `columns` (at most NR). */
FER_AVX512 static void pack_b(const float *b, long ldb, long k0, long kc, long j0, long columns, float *panel) {
    const __mmask16 m0 = (__mmask16)(columns >= 16 ? 0xFFFF : (1u << columns) - 1);
    const __mmask16 m1 = (__mmask16)(columns >= 32 ? 0xFFFF : columns <= 16 ? 0 : (1u << (columns - 16)) - 1);
    const __mmask16 m2 = (__mmask16)(columns >= 48 ? 0xFFFF : columns <= 32 ? 0 : (1u << (columns - 32)) - 1);
    for (long k = 0; k < kc; ++k) {
        const float *source = b + (k0 + k) * ldb + j0;
        float *target = panel + k * NR;
        _mm512_store_ps(target, _mm512_maskz_loadu_ps(m0, source));
        _mm512_store_ps(target + 16, _mm512_maskz_loadu_ps(m1, source + 16));
        _mm512_store_ps(target + 32, _mm512_maskz_loadu_ps(m2, source + 32));
    }
}

/* Transposes the 16x16 block held in r[0..15] in place. */
FER_AVX512 static inline void transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int i = 0; i < 4; ++i) {
        t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
        t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xDD);
        t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
        t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xDD);
    }
    for (int i = 0; i < 4; ++i) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
        r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
        r[i + 4] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0x88);
        r[i + 12] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0xDD);
    }
}

/* The same panel from B stored transposed (B[k][j] at b[j * ldb + k]):
   16x16 blocks transposed in registers. */
FER_AVX512 static void pack_b_transposed(const float *b, long ldb, long k0, long kc, long j0, long columns,
                                         float *panel) {
    for (long kk = 0; kk < kc; kk += 16) {
        const long depth = fer_min(16, kc - kk);
        const __mmask16 k_mask = (__mmask16)(depth == 16 ? 0xFFFF : (1u << depth) - 1);
        for (long g = 0; g < NR; g += 16) {
            __m512 r[16];
            for (long i = 0; i < 16; ++i)
                r[i] = g + i < columns ? _mm512_maskz_loadu_ps(k_mask, b + (j0 + g + i) * ldb + k0 + kk)
                                       : _mm512_setzero_ps();
            transpose16(r);
            for (long i = 0; i < depth; ++i) _mm512_store_ps(panel + (kk + i) * NR + g, r[i]);
        }
    }
}

/* C[MR x 16*nv] = (C if accumulate) + sum over kc of a[k][MR] x b[k][0..16*nv),
   for panels whose columns fill nv vectors. */
FER_AVX512 static inline __attribute__((always_inline)) void broadcast_kernel(
    const int nv, long kc, const float *a, const float *b, float *c, long ldc, int accumulate) {
    __m512 acc[MR][3];
    for (int i = 0; i < MR; ++i)
        for (int v = 0; v < nv; ++v) acc[i][v] = _mm512_setzero_ps();
    for (long k = 0; k < kc; ++k) {
        __m512 column[3];
        for (int v = 0; v < nv; ++v) column[v] = _mm512_load_ps(b + 16 * v);
        for (int i = 0; i < MR; ++i) {
            const __m512 s = _mm512_set1_ps(a[i]);
            for (int v = 0; v < nv; ++v) acc[i][v] = _mm512_fmadd_ps(s, column[v], acc[i][v]);
        }
        a += MR;
        b += NR;
    }
    for (int i = 0; i < MR; ++i) {
        float *line = c + i * ldc;
        for (int v = 0; v < nv; ++v) {
            if (accumulate) acc[i][v] = _mm512_add_ps(acc[i][v], _mm512_loadu_ps(line + 16 * v));
            _mm512_storeu_ps(line + 16 * v, acc[i][v]);
        }
    }
}

FER_AVX512 static void broadcast_kernel_1(long kc, const float *a, const float *b, float *c, long ldc, int accumulate) {
    broadcast_kernel(1, kc, a, b, c, ldc, accumulate);
}
FER_AVX512 static void broadcast_kernel_2(long kc, const float *a, const float *b, float *c, long ldc, int accumulate) {
    broadcast_kernel(2, kc, a, b, c, ldc, accumulate);
}
FER_AVX512 static void broadcast_kernel_3(long kc, const float *a, const float *b, float *c, long ldc, int accumulate) {
    broadcast_kernel(3, kc, a, b, c, ldc, accumulate);
}

FER_AVX512 static void packed_gemm(int trans_a, int trans_b, long m, long n, long k, const float *a, long lda, const float *b,
                                   long ldb, float beta, float *c, long ldc, float *scratch) {
    float *packed_a = (float *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    float *packed_b = packed_a + (((m + MR - 1) / MR) * MR * fer_min(k, KC) + 15) / 16 * 16;
    float *tile = packed_b + fer_min(k, KC) * NR;
    if (beta != 0.0f && beta != 1.0f) scale_matrix(c, ldc, m, n, beta);
    for (long k0 = 0; k0 < k; k0 += KC) {
        const long kc = fer_min(KC, k - k0);
        const int accumulate = k0 > 0 || beta != 0.0f;
        pack_a(trans_a, a, lda, m, k0, kc, packed_a);
        /* Panels of equal numbers of vectors (64 columns as 32 + 32, not
           48 + 16: a one-vector micro-tile waits on its loads). */
        const long vectors = (n + 15) / 16, panels = (vectors + 2) / 3;
        for (long panel = 0, j0 = 0; panel < panels; ++panel) {
            const long width = 16 * (vectors / panels + (panel < vectors % panels));
            const long columns = fer_min(width, n - j0);
            if (trans_b) {
                pack_b_transposed(b, ldb, k0, kc, j0, columns, packed_b);
            } else {
                pack_b(b, ldb, k0, kc, j0, columns, packed_b);
            }
            void (*kernel)(long, const float *, const float *, float *, long, int) =
                width == 48 ? broadcast_kernel_3 : width == 32 ? broadcast_kernel_2 : broadcast_kernel_1;
            for (long i0 = 0; i0 < m; i0 += MR) {
                const long rows = fer_min(MR, m - i0);
                const float *rows_of_a = packed_a + (i0 / MR) * kc * MR;
                float *target = c + i0 * ldc + j0;
                if (rows == MR && columns == width) {
                    kernel(kc, rows_of_a, packed_b, target, ldc, accumulate);
                    continue;
                }
                kernel(kc, rows_of_a, packed_b, tile, NR, 0);
                for (long i = 0; i < rows; ++i)
                    for (long j = 0; j < columns; ++j)
                        target[i * ldc + j] = accumulate ? target[i * ldc + j] + tile[i * NR + j] : tile[i * NR + j];
            }
            j0 += columns;
        }
    }
}

#endif

void fer_packed_gemm(int trans_a, int trans_b, long m, long n, long k, const float *a, long lda, const float *b,
                     long ldb, float beta, float *c, long ldc, float *scratch) {
#if FER_HAS_PACKED_GEMM
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        scale_matrix(c, ldc, m, n, beta);
        return;
    }
    packed_gemm(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc, scratch);
#endif
}
