// Single-threaded SGEMM with AVX-512 micro-kernels, for the medium-sized,
// oddly shaped products of convolutions (K of 64 or 147, N of a few
// hundred), where OpenBLAS spends much of its time packing.
//
// op(A) is packed into panels of MR rows ([k][MR]), op(B) into panels of NR
// columns ([k][NR], gathered when B is stored transposed); each step of the
// micro-kernel broadcasts MR values of A against NR values of B. When C has
// only a few panels of columns (weight gradients), A stored as is is read in
// place instead of packed. Columns of A, B and C may be split into blocks
// (the planes of NCHW samples, see fer_matrix_layout): convolutions then
// multiply several samples at once without copying them into one matrix.
//
// Every element of C is the sum over k in the same order whatever m, n and
// the position of its row or column: products are batch invariant.
//
// CPUs with AVX2 but no AVX-512 run the same design with 8-float vectors
// (packed_gemm_avx2.c); the public functions below pick one at run time.
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "packed_gemm_shared.h"

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
    KC = FER_PACKED_KC, /* depth of one packed block */
    PREFETCH = 128,  /* floats ahead along a row that transposing packs prefetch */
};

/* Which kernel the public functions run: AVX-512 where the CPU has it, else
   AVX2+FMA, else none. FERKIT_PACKED_GEMM=0 picks none (OpenBLAS runs every
   product, for comparisons), FERKIT_PACKED_GEMM=avx2 the AVX2 kernel on CPUs
   that have both, so that it can be tested and compared there. */
enum { KERNEL_NONE = 0, KERNEL_AVX512 = 1, KERNEL_AVX2 = 2 };

static int choose_kernel(void) {
    const char *choice = getenv("FERKIT_PACKED_GEMM");
    const int avx2 = FER_HAS_AVX2_PACKED_GEMM && fer_cpu_has_avx2_fma();
    if (choice && strcmp(choice, "0") == 0) return KERNEL_NONE;
    if (choice && strcmp(choice, "avx2") == 0 && avx2) return KERNEL_AVX2;
    if (FER_HAS_PACKED_GEMM && fer_cpu_has_avx512()) return KERNEL_AVX512;
    return avx2 ? KERNEL_AVX2 : KERNEL_NONE;
}

static int kernel_in_use(void) {
    static _Atomic int chosen = -1; /* chosen once; threads that race choose the same */
    int kernel = atomic_load_explicit(&chosen, memory_order_relaxed);
    if (kernel < 0) {
        kernel = choose_kernel();
        atomic_store_explicit(&chosen, kernel, memory_order_relaxed);
    }
    return kernel;
}

int fer_packed_gemm_available(void) { return kernel_in_use() != KERNEL_NONE; }

const char *fer_packed_gemm_kernel_name(void) {
    switch (kernel_in_use()) {
    case KERNEL_AVX512: return "AVX-512 8x48";
    case KERNEL_AVX2: return "AVX2 6x16";
    default: return "none";
    }
}

int fer_packed_gemm_uses_avx512(void) { return kernel_in_use() == KERNEL_AVX512; }

long fer_packed_gemm_panel_columns(void) { return kernel_in_use() == KERNEL_AVX2 ? 16 : NR; }

/* Rows of A packed in whole panels of MR. */
static inline long padded_rows(long m) { return (m + MR - 1) / MR * MR; }

long fer_packed_gemm_scratch_count(long m, long k) {
#if FER_HAS_AVX2_PACKED_GEMM
    if (kernel_in_use() == KERNEL_AVX2) return fer_avx2_gemm_scratch_count(m, k);
#endif
    const long depth = fer_min(k, KC);
    return (padded_rows(m) * depth + 15) / 16 * 16 + depth * NR + 16;
}

#if FER_HAS_PACKED_GEMM

/* Where the 16 lanes of a vector of columns live within a row: the lanes of
   `low_mask` at row + low + lane, those of `high_mask` (past a block
   boundary) at row + high + lane. Lanes past the matrix are in neither mask;
   masked-off lanes are never read or written, whatever their address. */
typedef struct {
    long low, high;
    __mmask16 low_mask, high_mask;
} lane_map;

/* The lanes of columns j ..< j + 16, of which the first `valid` exist (blocks hold at least 16 columns). */
static inline lane_map map_lanes(fer_matrix_layout layout, long j, long valid) {
    const __mmask16 lanes = (__mmask16)(valid >= 16 ? 0xFFFF : valid <= 0 ? 0 : (1u << valid) - 1);
    lane_map map = {column_offset(layout, j), 0, lanes, 0};
    const long run = column_run(layout, j, 16);
    if (run < 16 && valid > run) {
        const __mmask16 first = (__mmask16)((1u << run) - 1);
        map.high = column_offset(layout, j + run) - run;
        map.low_mask = lanes & first;
        map.high_mask = lanes & (__mmask16)~first;
    }
    return map;
}

FER_AVX512 static inline __m512 load_lanes(const float *row, lane_map map) {
    __m512 x = _mm512_maskz_loadu_ps(map.low_mask, row + map.low);
    return map.high_mask ? _mm512_mask_loadu_ps(x, map.high_mask, row + map.high) : x;
}

FER_AVX512 static inline void store_lanes(float *row, lane_map map, __m512 x) {
    _mm512_mask_storeu_ps(row + map.low, map.low_mask, x);
    if (map.high_mask) _mm512_mask_storeu_ps(row + map.high, map.high_mask, x);
}

/* Asks for the line PREFETCH floats past `x`. Packs that transpose read 16
   rows a vector at a time, 16 streams far apart that the hardware
   prefetcher does not keep ahead of when they come from memory (dY in
   weight gradients: with cold dY in a C harness, the stem's product
   1.1-1.15x); prefetches never fault, whatever the address. */
static inline void prefetch_ahead(const float *x) { __builtin_prefetch(x + PREFETCH, 0, 3); }

/* One panel of B[kc x NR] (rows from k0, columns as `lanes`), zero past the matrix. */
FER_AVX512 static void pack_b(const float *b, long ldb, long k0, long kc, const lane_map lanes[3], float *panel) {
    for (long k = 0; k < kc; ++k) {
        const float *row = b + (k0 + k) * ldb;
        float *target = panel + k * NR;
        for (int v = 0; v < 3; ++v) _mm512_store_ps(target + 16 * v, load_lanes(row, lanes[v]));
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

/* Panels of MR rows of op(A)[m x kc] (from column k0), zero past row m:
   rows of A go through 16x16 in-register transposes (the upper half zero). */
FER_AVX512 static void pack_a(int trans_a, const float *a, fer_matrix_layout layout, long m, long k0, long kc,
                              float *packed) {
    for (long i0 = 0; i0 < m; i0 += MR) {
        float *panel = packed + (i0 / MR) * kc * MR;
        const long rows = fer_min(MR, m - i0);
        if (trans_a) {
            const __mmask8 valid = (__mmask8)((1u << rows) - 1);
            for (long k = 0; k < kc; ++k)
                _mm256_store_ps(panel + k * MR, _mm256_maskz_loadu_ps(valid, a + (k0 + k) * layout.ld + i0));
            continue;
        }
        for (long kk = 0; kk < kc; kk += 16) {
            const long depth = fer_min(16, kc - kk);
            const lane_map lanes = map_lanes(layout, k0 + kk, depth);
            __m512 r[16];
            /* PREFETCH columns ahead, which in blocked layouts lie in a later block, not PREFETCH floats on. */
            const long ahead = column_offset(layout, k0 + kk + PREFETCH);
            for (int i = 0; i < rows; ++i) __builtin_prefetch(a + (i0 + i) * layout.ld + ahead, 0, 3);
            for (int i = 0; i < 16; ++i)
                r[i] = i < rows ? load_lanes(a + (i0 + i) * layout.ld, lanes) : _mm512_setzero_ps();
            transpose16(r);
            for (long t = 0; t < depth; ++t) _mm256_store_ps(panel + (kk + t) * MR, _mm512_castps512_ps256(r[t]));
        }
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
            for (long i = 0; i < 16 && g + i < columns; ++i) prefetch_ahead(b + (j0 + g + i) * ldb + k0 + kk);
            for (long i = 0; i < 16; ++i)
                r[i] = g + i < columns ? _mm512_maskz_loadu_ps(k_mask, b + (j0 + g + i) * ldb + k0 + kk)
                                       : _mm512_setzero_ps();
            transpose16(r);
            for (long i = 0; i < depth; ++i) _mm512_store_ps(panel + (kk + i) * NR + g, r[i]);
        }
    }
}

/* The first `rows` rows of C[MR x 16*nv] (columns as `lanes`) = (C if
   accumulate) + sum over kc of A[MR x kc] x b[k][0..16*nv), for panels whose
   columns fill nv vectors. A is a packed panel (a[k][MR]) or, `in_place`,
   read where it is stored: row i at a + i * lda (rows past `rows` read row 0
   and are not stored), depth step k at offset[k]. */
FER_AVX512 static inline __attribute__((always_inline)) void broadcast_kernel(
    const int nv, const int in_place, long kc, const float *a, long lda, const long *offset, const float *b, float *c,
    long ldc, long rows, const lane_map lanes[3], int accumulate) {
    const float *row[MR];
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; ++i) row[i] = in_place && i < rows ? a + i * lda : a;
    __m512 acc[MR][3];
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; ++i)
#pragma clang loop unroll(full)
        for (int v = 0; v < 3; ++v) acc[i][v] = _mm512_setzero_ps();
    /* The tile of C is only written (or read) after kc steps: fetching its
       lines now, for writing, hides their misses when C is new memory (the
       output of a convolution; a C harness with cold C: the 1x1 shortcut's
       forward product 1.1-1.2x, its input-gradient product 1.05-1.1x). */
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; ++i) {
        if (i >= rows) continue;
#pragma clang loop unroll(full)
        for (int v = 0; v < nv; ++v) __builtin_prefetch(c + i * ldc + lanes[v].low, 1, 3);
    }
    for (long k = 0; k < kc; ++k) {
        __m512 column[3];
        for (int v = 0; v < nv; ++v) column[v] = _mm512_load_ps(b + 16 * v);
        for (int i = 0; i < MR; ++i) {
            const __m512 s = _mm512_set1_ps(in_place ? row[i][offset[k]] : a[k * MR + i]);
            for (int v = 0; v < nv; ++v) acc[i][v] = _mm512_fmadd_ps(s, column[v], acc[i][v]);
        }
        b += NR;
    }
    /* Fully unrolled, so that `acc` stays in registers (no stack copy). */
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; ++i) {
        if (i >= rows) continue;
        float *line = c + i * ldc;
#pragma clang loop unroll(full)
        for (int v = 0; v < nv; ++v) {
            if (accumulate) acc[i][v] = _mm512_add_ps(acc[i][v], load_lanes(line, lanes[v]));
            store_lanes(line, lanes[v], acc[i][v]);
        }
    }
}

typedef void (*micro_kernel)(long, const float *, long, const long *, const float *, float *, long, long,
                             const lane_map *, int);

/* One specialisation per panel width (1-3 vectors) and way of reading A. */
#define FER_MICRO_KERNEL(name, nv, in_place)                                                                        \
    FER_AVX512 static void name(long kc, const float *a, long lda, const long *offset, const float *b, float *c,   \
                                long ldc, long rows, const lane_map *lanes, int accumulate) {                     \
        broadcast_kernel(nv, in_place, kc, a, lda, offset, b, c, ldc, rows, lanes, accumulate);                     \
    }
FER_MICRO_KERNEL(packed_kernel_1, 1, 0)
FER_MICRO_KERNEL(packed_kernel_2, 2, 0)
FER_MICRO_KERNEL(packed_kernel_3, 3, 0)
FER_MICRO_KERNEL(in_place_kernel_1, 1, 1)
FER_MICRO_KERNEL(in_place_kernel_2, 2, 1)
FER_MICRO_KERNEL(in_place_kernel_3, 3, 1)
#undef FER_MICRO_KERNEL

static const micro_kernel micro_kernels[2][3] = {
    {packed_kernel_1, packed_kernel_2, packed_kernel_3},
    {in_place_kernel_1, in_place_kernel_2, in_place_kernel_3},
};

/* C = op(A) op(B) + beta C. With `prepacked_a` (from fer_packed_gemm_pack_a),
   A is not read: its blocks are taken from there. */
FER_AVX512 static void packed_gemm(int trans_a, int trans_b, long m, long n, long k, const float *a,
                                   fer_matrix_layout a_layout, const float *prepacked_a, const float *b,
                                   fer_matrix_layout b_layout, float beta, float *c, fer_matrix_layout c_layout,
                                   float *scratch) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        scale_matrix(c, c_layout, m, n, beta);
        return;
    }
    const long padded_m = padded_rows(m);
    float *packed_a = (float *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
    float *packed_b = packed_a + (padded_m * fer_min(k, KC) + 15) / 16 * 16;
    if (beta != 0.0f && beta != 1.0f) scale_matrix(c, c_layout, m, n, beta);
    /* Panels of equal numbers of vectors (64 columns as 32 + 32, not
       48 + 16: a one-vector micro-tile waits on its loads). */
    const long vectors = (n + 15) / 16, panels = (vectors + 2) / 3;
    /* A stored as is and used by few panels (weight gradients) is read in
       place rather than packed: packing would cost as much as the products. */
    const int a_in_place = !prepacked_a && !trans_a && panels <= 4;
    for (long k0 = 0; k0 < k; k0 += KC) {
        const long kc = fer_min(KC, k - k0);
        const int accumulate = k0 > 0 || beta != 0.0f;
        /* Read in place, A is found at these offsets of the block's depth steps. */
        long *offset = (long *)packed_a;
        if (prepacked_a) {
            packed_a = (float *)prepacked_a + k0 * padded_m; /* earlier blocks are all KC deep */
        } else if (a_in_place) {
            for (long t = 0; t < kc; ++t) offset[t] = column_offset(a_layout, k0 + t);
        } else {
            pack_a(trans_a, a, a_layout, m, k0, kc, packed_a);
        }
        for (long panel = 0, j0 = 0; panel < panels; ++panel) {
            const long width = 16 * (vectors / panels + (panel < vectors % panels));
            const long columns = fer_min(width, n - j0);
            lane_map c_lanes[3];
            for (int v = 0; v < 3; ++v) c_lanes[v] = map_lanes(c_layout, j0 + 16 * v, columns - 16 * v);
            if (trans_b) {
                pack_b_transposed(b, b_layout.ld, k0, kc, j0, columns, packed_b);
            } else {
                lane_map b_lanes[3];
                for (int v = 0; v < 3; ++v) b_lanes[v] = map_lanes(b_layout, j0 + 16 * v, columns - 16 * v);
                pack_b(b, b_layout.ld, k0, kc, b_lanes, packed_b);
            }
            const micro_kernel kernel = micro_kernels[a_in_place][width / 16 - 1];
            for (long i0 = 0; i0 < m; i0 += MR) {
                const float *rows_of_a = a_in_place ? a + i0 * a_layout.ld : packed_a + (i0 / MR) * kc * MR;
                kernel(kc, rows_of_a, a_layout.ld, offset, packed_b, c + i0 * c_layout.ld, c_layout.ld,
                       fer_min(MR, m - i0), c_lanes, accumulate);
            }
            j0 += columns;
        }
    }
}

#endif

/* The product on the kernel in use (nothing without one); `prepacked_a` NULL packs A. */
static void multiply(int trans_a, int trans_b, long m, long n, long k, const float *a, fer_matrix_layout a_layout,
                     const float *prepacked_a, const float *b, fer_matrix_layout b_layout, float beta, float *c,
                     fer_matrix_layout c_layout, float *scratch) {
    switch (kernel_in_use()) {
#if FER_HAS_PACKED_GEMM
    case KERNEL_AVX512:
        packed_gemm(trans_a, trans_b, m, n, k, a, a_layout, prepacked_a, b, b_layout, beta, c, c_layout, scratch);
        break;
#endif
#if FER_HAS_AVX2_PACKED_GEMM
    case KERNEL_AVX2:
        fer_avx2_gemm(trans_a, trans_b, m, n, k, a, a_layout, prepacked_a, b, b_layout, beta, c, c_layout, scratch);
        break;
#endif
    default: break;
    }
}

void fer_packed_gemm_layouts(int trans_a, int trans_b, long m, long n, long k, const float *a, fer_matrix_layout a_layout,
                             const float *b, fer_matrix_layout b_layout, float beta, float *c,
                             fer_matrix_layout c_layout, float *scratch) {
    multiply(trans_a, trans_b, m, n, k, a, a_layout, NULL, b, b_layout, beta, c, c_layout, scratch);
}

long fer_packed_gemm_packed_a_count(long m, long k) {
#if FER_HAS_AVX2_PACKED_GEMM
    if (kernel_in_use() == KERNEL_AVX2) return fer_avx2_gemm_packed_a_count(m, k);
#endif
    return padded_rows(m) * k;
}

void fer_packed_gemm_pack_a(int trans_a, long m, long k, const float *a, fer_matrix_layout a_layout, float *packed) {
    switch (kernel_in_use()) {
#if FER_HAS_PACKED_GEMM
    case KERNEL_AVX512:
        for (long k0 = 0; k0 < k; k0 += KC)
            pack_a(trans_a, a, a_layout, m, k0, fer_min(KC, k - k0), packed + k0 * padded_rows(m));
        break;
#endif
#if FER_HAS_AVX2_PACKED_GEMM
    case KERNEL_AVX2:
        fer_avx2_gemm_pack_a(trans_a, m, k, a, a_layout, packed);
        break;
#endif
    default: break;
    }
}

void fer_packed_gemm_prepacked(int trans_b, long m, long n, long k, const float *packed_a, const float *b,
                               fer_matrix_layout b_layout, float beta, float *c, fer_matrix_layout c_layout,
                               float *scratch) {
    const fer_matrix_layout unused = {0, 0, 0};
    multiply(0, trans_b, m, n, k, NULL, unused, packed_a, b, b_layout, beta, c, c_layout, scratch);
}

void fer_packed_gemm(int trans_a, int trans_b, long m, long n, long k, const float *a, long lda, const float *b,
                     long ldb, float beta, float *c, long ldc, float *scratch) {
    const fer_matrix_layout a_layout = {lda, 0, 0}, b_layout = {ldb, 0, 0}, c_layout = {ldc, 0, 0};
    fer_packed_gemm_layouts(trans_a, trans_b, m, n, k, a, a_layout, b, b_layout, beta, c, c_layout, scratch);
}
