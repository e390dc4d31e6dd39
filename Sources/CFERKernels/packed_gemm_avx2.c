// The packed SGEMM of packed_gemm.c for CPUs with AVX2 and FMA but without
// AVX-512: the same blocking, layouts and operand handling, with vectors of
// 8 floats, 6 x 16 micro-tiles (12 accumulators of the 16 registers) and
// 8x8 in-register transposes.
#include <stdint.h>
#include "packed_gemm_shared.h"

#if FER_HAS_AVX2_PACKED_GEMM
#include <immintrin.h>
#define FER_AVX2 __attribute__((target("avx2,fma")))

enum {
    MR = 6,                /* rows of C per micro-tile */
    NR = 16,               /* columns of C per micro-tile (two vectors) */
    KC = FER_PACKED_KC,    /* depth of one packed block */
    PREFETCH = 128,        /* floats ahead along a row that transposing packs prefetch */
};

static inline long padded_rows(long m) { return (m + MR - 1) / MR * MR; }

long fer_avx2_gemm_scratch_count(long m, long k) {
    const long depth = fer_min(k, KC);
    return (padded_rows(m) * depth + 15) / 16 * 16 + depth * NR + 16;
}

long fer_avx2_gemm_packed_a_count(long m, long k) { return padded_rows(m) * k; }

/* Where the 8 lanes of a vector of columns live within a row: lanes below
   `split` at row + low + lane, lanes from `split` to `valid` (past a block
   boundary) at row + high + lane; lanes from `valid` on lie past the matrix
   and are never read or written. */
typedef struct {
    long low, high;
    int split, valid;
} lane_map;

/* The lanes of columns j ..< j + 8, of which the first `valid` exist (blocks hold at least 8 columns). */
static inline lane_map map_lanes(fer_matrix_layout layout, long j, long valid) {
    const int lanes = (int)fer_max(0, fer_min(8, valid));
    lane_map map = {column_offset(layout, j), 0, lanes, lanes};
    const long run = column_run(layout, j, 8);
    if (run < lanes) {
        map.split = (int)run;
        map.high = column_offset(layout, j + run) - run;
    }
    return map;
}

/* Whether all 8 lanes are contiguous columns of the matrix (plain loads and stores). */
static inline int is_whole(lane_map map) { return map.split == 8; }

/* All-ones in the lanes below `count`. */
FER_AVX2 static inline __m256i lanes_below(int count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* Masked loads leave the other lanes zero and never fault on them. */
FER_AVX2 static inline __m256 load_lanes(const float *row, lane_map map) {
    if (is_whole(map)) return _mm256_loadu_ps(row + map.low);
    const __m256i low = lanes_below(map.split);
    const __m256 x = _mm256_maskload_ps(row + map.low, low);
    if (map.valid == map.split) return x;
    const __m256i high = _mm256_andnot_si256(low, lanes_below(map.valid));
    return _mm256_or_ps(x, _mm256_maskload_ps(row + map.high, high));
}

/* Partial vectors are stored a lane at a time (masked stores are slow on AMD's cores). */
FER_AVX2 static inline void store_lanes(float *row, lane_map map, __m256 x) {
    if (is_whole(map)) {
        _mm256_storeu_ps(row + map.low, x);
        return;
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, x);
    for (int l = 0; l < map.split; ++l) row[map.low + l] = lanes[l];
    for (int l = map.split; l < map.valid; ++l) row[map.high + l] = lanes[l];
}

/* As in packed_gemm.c: packs read many rows far apart, which the hardware
   prefetcher does not keep ahead of. */
static inline void prefetch_ahead(const float *x) { __builtin_prefetch(x + PREFETCH, 0, 3); }

/* One panel of B[kc x NR] (rows from k0, `vectors` vectors of columns as `lanes`), zero past the matrix.
   Its kc rows are as many streams as the transposing packs read, so each
   row's element `ahead` (the offset of the column PREFETCH past the panel,
   which in blocked layouts may lie in the next block) is prefetched (the
   stem's input-gradient product with dY from memory, C harness: 44-64 ->
   58-74 GFLOP/s). */
FER_AVX2 static void pack_b(const float *b, long ldb, long k0, long kc, const lane_map lanes[2], int vectors,
                            long ahead, float *panel) {
    for (long k = 0; k < kc; ++k) {
        const float *row = b + (k0 + k) * ldb;
        __builtin_prefetch(row + ahead, 0, 3);
        for (int v = 0; v < vectors; ++v) _mm256_store_ps(panel + k * NR + 8 * v, load_lanes(row, lanes[v]));
    }
}

/* Transposes the 8x8 block held in r[0..7] in place. */
FER_AVX2 static inline void transpose8(__m256 r[8]) {
    __m256 t[8], s[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        s[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        s[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        s[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        s[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int i = 0; i < 4; ++i) {
        r[i] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x20);
        r[i + 4] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x31);
    }
}

/* Panels of MR rows of op(A)[m x kc] (from column k0), zero past row m:
   rows of A go through 8x8 in-register transposes (the last two rows zero). */
FER_AVX2 static void pack_a(int trans_a, const float *a, fer_matrix_layout layout, long m, long k0, long kc,
                            float *packed) {
    for (long i0 = 0; i0 < m; i0 += MR) {
        float *panel = packed + (i0 / MR) * kc * MR;
        const long rows = fer_min(MR, m - i0);
        if (trans_a) {
            /* Row k of the panel is MR consecutive floats of row k0 + k of A: two vector copies when whole
               (layer4.0.conv1's input-gradient products, C harness: 1.05x against a float at a time). */
            for (long k = 0; k < kc; ++k) {
                const float *source = a + (k0 + k) * layout.ld + i0;
                float *target = panel + k * MR;
                if (rows == MR) {
                    _mm_storeu_ps(target, _mm_loadu_ps(source));
                    _mm_storel_pi((__m64 *)(target + 4), _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)(source + 4))));
                } else {
                    for (long i = 0; i < MR; ++i) target[i] = i < rows ? source[i] : 0.0f;
                }
            }
            continue;
        }
        for (long kk = 0; kk < kc; kk += 8) {
            const long depth = fer_min(8, kc - kk);
            const lane_map lanes = map_lanes(layout, k0 + kk, depth);
            __m256 r[8];
            const long ahead = column_offset(layout, k0 + kk + PREFETCH); /* maybe in the next block */
            for (int i = 0; i < rows; ++i) __builtin_prefetch(a + (i0 + i) * layout.ld + ahead, 0, 3);
            for (int i = 0; i < 8; ++i)
                r[i] = i < rows ? load_lanes(a + (i0 + i) * layout.ld, lanes) : _mm256_setzero_ps();
            transpose8(r);
            for (long t = 0; t < depth; ++t) {
                float *target = panel + (kk + t) * MR;
                _mm_storeu_ps(target, _mm256_castps256_ps128(r[t]));
                _mm_storel_pi((__m64 *)(target + 4), _mm256_extractf128_ps(r[t], 1));
            }
        }
    }
}

/* The same panel from B stored transposed (B[k][j] at b[j * ldb + k]). */
FER_AVX2 static void pack_b_transposed(const float *b, long ldb, long k0, long kc, long j0, long columns,
                                       float *panel) {
    for (long kk = 0; kk < kc; kk += 8) {
        const long depth = fer_min(8, kc - kk);
        const __m256i k_mask = lanes_below((int)depth);
        for (long g = 0; g < columns; g += 8) {
            __m256 r[8];
            for (long i = 0; i < 8 && g + i < columns; ++i) prefetch_ahead(b + (j0 + g + i) * ldb + k0 + kk);
            for (long i = 0; i < 8; ++i) {
                const float *source = b + (j0 + g + i) * ldb + k0 + kk;
                r[i] = g + i >= columns ? _mm256_setzero_ps()
                       : depth == 8     ? _mm256_loadu_ps(source)
                                        : _mm256_maskload_ps(source, k_mask);
            }
            transpose8(r);
            for (long i = 0; i < depth; ++i) _mm256_store_ps(panel + (kk + i) * NR + g, r[i]);
        }
    }
}

/* The first `rows` rows of C[MR x 8*nv] (columns as `lanes`) = (C if
   accumulate) + sum over kc of A[MR x kc] x b[k][0..8*nv), as in
   packed_gemm.c: A packed (a[k][MR]) or, `in_place`, read where it is
   stored (row i at a + i * lda, depth step k at offset[k]). */
FER_AVX2 static inline __attribute__((always_inline)) void broadcast_kernel(
    const int nv, const int in_place, long kc, const float *a, long lda, const long *offset, const float *b, float *c,
    long ldc, long rows, const lane_map lanes[2], int accumulate) {
    const float *row[MR];
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; ++i) row[i] = in_place && i < rows ? a + i * lda : a;
    __m256 acc[MR][2];
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; ++i)
#pragma clang loop unroll(full)
        for (int v = 0; v < 2; ++v) acc[i][v] = _mm256_setzero_ps();
    /* C is written after the kc steps: fetch its lines now (see packed_gemm.c). */
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; ++i) {
        if (i >= rows) continue;
#pragma clang loop unroll(full)
        for (int v = 0; v < nv; ++v) __builtin_prefetch(c + i * ldc + lanes[v].low, 1, 3);
    }
    for (long k = 0; k < kc; ++k) {
        __m256 column[2];
#pragma clang loop unroll(full)
        for (int v = 0; v < nv; ++v) column[v] = _mm256_load_ps(b + 8 * v);
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; ++i) {
            const __m256 s = in_place ? _mm256_set1_ps(row[i][offset[k]]) : _mm256_broadcast_ss(a + k * MR + i);
#pragma clang loop unroll(full)
            for (int v = 0; v < nv; ++v) acc[i][v] = _mm256_fmadd_ps(s, column[v], acc[i][v]);
        }
        b += NR;
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; ++i) {
        if (i >= rows) continue;
        float *line = c + i * ldc;
#pragma clang loop unroll(full)
        for (int v = 0; v < nv; ++v) {
            if (accumulate) acc[i][v] = _mm256_add_ps(acc[i][v], load_lanes(line, lanes[v]));
            store_lanes(line, lanes[v], acc[i][v]);
        }
    }
}

typedef void (*micro_kernel)(long, const float *, long, const long *, const float *, float *, long, long,
                             const lane_map *, int);

/* One specialisation per panel width (1-2 vectors) and way of reading A. */
#define FER_MICRO_KERNEL(name, nv, in_place)                                                                      \
    FER_AVX2 static void name(long kc, const float *a, long lda, const long *offset, const float *b, float *c,   \
                              long ldc, long rows, const lane_map *lanes, int accumulate) {                      \
        broadcast_kernel(nv, in_place, kc, a, lda, offset, b, c, ldc, rows, lanes, accumulate);                   \
    }
FER_MICRO_KERNEL(packed_kernel_1, 1, 0)
FER_MICRO_KERNEL(packed_kernel_2, 2, 0)
FER_MICRO_KERNEL(in_place_kernel_1, 1, 1)
FER_MICRO_KERNEL(in_place_kernel_2, 2, 1)
#undef FER_MICRO_KERNEL

static const micro_kernel micro_kernels[2][2] = {
    {packed_kernel_1, packed_kernel_2},
    {in_place_kernel_1, in_place_kernel_2},
};

void fer_avx2_gemm_pack_a(int trans_a, long m, long k, const float *a, fer_matrix_layout a_layout, float *packed) {
    for (long k0 = 0; k0 < k; k0 += KC)
        pack_a(trans_a, a, a_layout, m, k0, fer_min(KC, k - k0), packed + k0 * padded_rows(m));
}

void fer_avx2_gemm(int trans_a, int trans_b, long m, long n, long k, const float *a, fer_matrix_layout a_layout,
                   const float *prepacked_a, const float *b, fer_matrix_layout b_layout, float beta, float *c,
                   fer_matrix_layout c_layout, float *scratch) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        scale_matrix(c, c_layout, m, n, beta);
        return;
    }
    const long padded_m = padded_rows(m);
    float *packed_a = (float *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    float *packed_b = packed_a + (padded_m * fer_min(k, KC) + 15) / 16 * 16;
    if (beta != 0.0f && beta != 1.0f) scale_matrix(c, c_layout, m, n, beta);
    /* A stored as is and used by few panels (weight gradients) is read in place. */
    const int a_in_place = !prepacked_a && !trans_a && n <= 4 * NR;
    for (long k0 = 0; k0 < k; k0 += KC) {
        const long kc = fer_min(KC, k - k0);
        const int accumulate = k0 > 0 || beta != 0.0f;
        long *offset = (long *)packed_a;
        if (prepacked_a) {
            packed_a = (float *)prepacked_a + k0 * padded_m;
        } else if (a_in_place) {
            for (long t = 0; t < kc; ++t) offset[t] = column_offset(a_layout, k0 + t);
        } else {
            pack_a(trans_a, a, a_layout, m, k0, kc, packed_a);
        }
        for (long j0 = 0; j0 < n; j0 += NR) {
            const long columns = fer_min(NR, n - j0);
            const int vectors = columns > 8 ? 2 : 1;
            lane_map c_lanes[2];
            for (int v = 0; v < 2; ++v) c_lanes[v] = map_lanes(c_layout, j0 + 8 * v, columns - 8 * v);
            if (trans_b) {
                pack_b_transposed(b, b_layout.ld, k0, kc, j0, columns, packed_b);
            } else {
                lane_map b_lanes[2];
                for (int v = 0; v < 2; ++v) b_lanes[v] = map_lanes(b_layout, j0 + 8 * v, columns - 8 * v);
                const long ahead = column_offset(b_layout, fer_min(j0 + PREFETCH, n - 1));
                pack_b(b, b_layout.ld, k0, kc, b_lanes, vectors, ahead, packed_b);
            }
            const micro_kernel kernel = micro_kernels[a_in_place][vectors - 1];
            for (long i0 = 0; i0 < m; i0 += MR) {
                const float *rows_of_a = a_in_place ? a + i0 * a_layout.ld : packed_a + (i0 / MR) * kc * MR;
                kernel(kc, rows_of_a, a_layout.ld, offset, packed_b, c + i0 * c_layout.ld, c_layout.ld,
                       fer_min(MR, m - i0), c_lanes, accumulate);
            }
        }
    }
}
#endif
