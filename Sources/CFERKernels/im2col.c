// Lowering of 2-D convolution to GEMM: im2col and its adjoint col2im.
#include <stdint.h>
#include <string.h>
#include "dispatch.h"
#include "fer_kernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define FER_HAS_GATHER_KERNEL 1
#else
#define FER_HAS_GATHER_KERNEL 0
#endif

/* How a plan lowers a plane. */
enum {
    /* Stride 1 with the output as large as the input ("same" padding, every
       3x3 convolution inside a ResNet stage): each column row is the plane
       shifted by the tap's offset, masked where the window leaves the input. */
    LOWERING_SHIFTED = 0,
    /* Narrow strided outputs: every column row gathers the positions of a
       fixed pattern plus the tap's offset, masked likewise. Per-row loops
       would spend more on loop control than on copying a few floats. */
    LOWERING_GATHERED = 1,
    /* Wide strided outputs: one run per output row (see lower_rows). */
    LOWERING_ROWS = 2,
};

/* Gathering pays off below this output width. */
#define GATHER_BELOW_WIDTH 16

/* Layout of a plan: header, then (for the shifted and gathered modes only)
   pattern[out_plane] and offsets[taps]
   (int32), then masks[taps][out_plane] (one byte per output position).
   `phase_im2col` and `phase_col2im`: whether each goes through phase planes
   (see lowers_by_phase_planes). */
typedef struct {
    long mode, taps, out_plane;
    int phase_im2col, phase_col2im;
    /* The vector kernels this CPU runs the plan's rows with, chosen once
       (choose_vector_kernels): the AVX2 halving kernels (halve_plane_avx2,
       double_plane_avx2; see halves_by_avx2), AVX-512 or AVX2 gathers of
       LOWERING_GATHERED rows, AVX-512 stride-2 rows (lowers_stride2), the
       stride-2 AVX-512 lowering through phases (lower_stride2_avx512), the
       AVX-512 halving col2im (double_plane_avx512), AVX2 adds to even
       elements in col2im. */
    int halving_by_avx2, gathers_avx512, gathers_avx2, stride2_avx512, stride2_phases_avx512, doubles_avx512,
        even_adds_avx2;
} plan_header;

static void choose_vector_kernels(plan_header *plan, fer_window_geometry g);

static inline const int32_t *plan_pattern(const plan_header *plan) { return (const int32_t *)(plan + 1); }
static inline const int32_t *plan_offsets(const plan_header *plan) { return plan_pattern(plan) + plan->out_plane; }
static inline const uint8_t *plan_masks(const plan_header *plan) {
    return (const uint8_t *)(plan_offsets(plan) + plan->taps);
}

static long lowering_mode(fer_window_geometry g) {
    if (g.stride_height == 1 && g.stride_width == 1 && g.out_height == g.in_height && g.out_width == g.in_width)
        return LOWERING_SHIFTED;
    return g.out_width < GATHER_BELOW_WIDTH ? LOWERING_GATHERED : LOWERING_ROWS;
}

/* 1x1 windows with stride 2 and no padding (ResNet's downsampling
   shortcuts), "halving" windows: the columns are the even columns of the
   even rows. */
static int is_halving(fer_window_geometry g) {
    return g.kernel_height == 1 && g.kernel_width == 1 && g.stride_height == 2 && g.stride_width == 2 &&
           g.pad_height == 0 && g.pad_width == 0 && g.out_width == (g.in_width + 1) / 2 &&
           g.out_height == (g.in_height + 1) / 2;
}

/* Halving windows that the AVX-512 kernels lower row by row: planes at
   least 16 wide (narrower planes are faster with whole-plane gathers). */
static int halves_plane(fer_window_geometry g) { return is_halving(g) && g.in_width >= 16; }

/* Halving windows on planes at least 8 wide lower by vector shuffles on
   CPUs with AVX2 but without AVX-512 (halve_plane_avx2, double_plane_avx2)
   instead of gathers and of col2im's zeroing then adding. C harnesses over
   32 samples on one core: layer2's shortcut at 100x100 (64 planes of
   25x25) im2col 0.31 -> 0.18 ms in cache and 0.68 -> 0.51 ms from memory
   (best runs); with old and new code interleaved in one process (200 calls
   each, medians) its col2im 0.87-1.13 -> 0.59-0.79 ms, layer3's (128
   planes of 13x13) im2col 255 -> 205 us and col2im 503 -> 319 us, planes
   of 50x50 col2im 1.67-1.85 -> 1.13-1.35 ms. */
static int halves_by_avx2(fer_window_geometry g) {
    return is_halving(g) && g.in_width >= 8 && !fer_cpu_has_avx512() && fer_cpu_has_avx2_fma();
}

/* Stride-2 windows larger than 1x1 lower through phase planes
   (phase_lowering.c) on CPUs without AVX-512, whose gathers are slow; in C
   harnesses against this file's other paths, with the GEMMs between them:
   the forward pass of a 3x3 window with 13-wide outputs 1.2x faster, the
   input-gradient passes of 3x3 windows 1.0-1.1x; alone, the stem's im2col
   at 100x100 1.4x faster, its col2im 1.8x. im2col keeps the gathers
   below 8 output columns (they beat copies of 7 or 4 floats); 1x1 windows
   (one phase, no taps to share it) measured the same either way. */
static int lowers_by_phase_planes(fer_window_geometry g, int adjoint) {
    return g.kernel_height * g.kernel_width > 1 && (adjoint || g.out_width >= 8) && !fer_cpu_has_avx512() &&
           fer_phase_lowering_fits(g);
}

long fer_lowering_plan_size(fer_window_geometry g) {
    const long taps = g.kernel_height * g.kernel_width, out_plane = g.out_height * g.out_width;
    return (long)sizeof(plan_header) + (long)sizeof(int32_t) * (out_plane + taps) + taps * out_plane;
}

void fer_lowering_plan_init(fer_window_geometry g, void *storage) {
    plan_header *plan = storage;
    plan->mode = lowering_mode(g);
    plan->phase_im2col = lowers_by_phase_planes(g, 0);
    plan->phase_col2im = lowers_by_phase_planes(g, 1);
    plan->taps = g.kernel_height * g.kernel_width;
    plan->out_plane = g.out_height * g.out_width;
    choose_vector_kernels(plan, g);
    int32_t *pattern = (int32_t *)plan_pattern(plan), *offsets = (int32_t *)plan_offsets(plan);
    uint8_t *masks = (uint8_t *)plan_masks(plan);
    if (plan->mode == LOWERING_ROWS) return; /* row runs compute their ranges as they go */
    for (long oh = 0; oh < g.out_height; ++oh)
        for (long ow = 0; ow < g.out_width; ++ow)
            pattern[oh * g.out_width + ow] = (int32_t)(oh * g.stride_height * g.in_width + ow * g.stride_width);
    for (long kh = 0; kh < g.kernel_height; ++kh) {
        for (long kw = 0; kw < g.kernel_width; ++kw) {
            const long tap = kh * g.kernel_width + kw;
            const long row_offset = kh * g.dilation_height - g.pad_height;
            const long column_offset = kw * g.dilation_width - g.pad_width;
            offsets[tap] = (int32_t)(row_offset * g.in_width + column_offset);
            uint8_t *mask = masks + tap * plan->out_plane;
            for (long oh = 0; oh < g.out_height; ++oh) {
                const long ih = oh * g.stride_height + row_offset;
                for (long ow = 0; ow < g.out_width; ++ow) {
                    const long iw = ow * g.stride_width + column_offset;
                    mask[oh * g.out_width + ow] = ih >= 0 && ih < g.in_height && iw >= 0 && iw < g.in_width;
                }
            }
        }
    }
}

/* One run of valid input per output row, zeros around it. */
static inline __attribute__((always_inline)) FER_INLINE_COPIES void lower_rows(const float *plane, fer_window_geometry g,
                                                                                long kh, long kw, float *destination) {
    const long out_width = g.out_width;
    const long column_offset = kw * g.dilation_width - g.pad_width;
    long lo, hi;
    fer_valid_range(column_offset, g.stride_width, g.in_width, out_width, &lo, &hi);
    for (long oh = 0; oh < g.out_height; ++oh) {
        float *line = destination + oh * out_width;
        const long ih = oh * g.stride_height - g.pad_height + kh * g.dilation_height;
        if (ih < 0 || ih >= g.in_height) {
            for (long ow = 0; ow < out_width; ++ow) line[ow] = 0.0f;
            continue;
        }
        const float *source = plane + ih * g.in_width + column_offset;
        for (long ow = 0; ow < lo; ++ow) line[ow] = 0.0f;
        /* Constant strides let the compiler vectorise (stride 2 with shuffles). */
        if (g.stride_width == 1) {
            for (long ow = lo; ow < hi; ++ow) line[ow] = source[ow];
        } else if (g.stride_width == 2) {
            for (long ow = lo; ow < hi; ++ow) line[ow] = source[2 * ow];
        } else {
            for (long ow = lo; ow < hi; ++ow) line[ow] = source[ow * g.stride_width];
        }
        for (long ow = hi; ow < out_width; ++ow) line[ow] = 0.0f;
    }
}

/* row[j] = mask[j] ? plane[offset + pattern[j]] : 0 for j < count. */
static inline void gather_row(float *restrict row, const float *plane, int32_t offset, const int32_t *pattern,
                              const uint8_t *mask, long count) {
    for (long j = 0; j < count; ++j) row[j] = mask[j] ? plane[offset + pattern[j]] : 0.0f;
}

#if FER_HAS_GATHER_KERNEL
#define FER_GATHER_TARGET __attribute__((target("avx512f,avx512vl")))

/* Offsets in the plane of positions j ..< j + 16 of a row (offset + pattern),
   and in `valid` those whose window lies inside the input. */
FER_GATHER_TARGET static inline __m512i window_offsets16(int32_t offset, const int32_t *pattern, const uint8_t *mask,
                                                         __mmask16 *valid) {
    const __m512i flags = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)mask));
    *valid = _mm512_test_epi32_mask(flags, flags);
    return _mm512_add_epi32(_mm512_set1_epi32(offset), _mm512_loadu_si512(pattern));
}

/* gather_row with AVX-512 masked gathers, 16 positions at a time. */
FER_GATHER_TARGET static void gather_row_avx512(float *restrict row, const float *plane, int32_t offset,
                                                const int32_t *pattern, const uint8_t *mask, long count) {
    long j = 0;
    for (; j + 16 <= count; j += 16) {
        __mmask16 valid;
        const __m512i index = window_offsets16(offset, pattern + j, mask + j, &valid);
        _mm512_storeu_ps(row + j, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), valid, index, plane, 4));
    }
    gather_row(row + j, plane, offset, pattern + j, mask + j, count - j);
}

/* gather_row with AVX2 masked gathers, 8 positions at a time, for CPUs
   without AVX-512 (the plain loop is scalar: 3.5 cycles per element). */
__attribute__((target("avx2"))) static void gather_row_avx2(float *restrict row, const float *plane, int32_t offset,
                                                            const int32_t *pattern, const uint8_t *mask, long count) {
    long j = 0;
    for (; j + 8 <= count; j += 8) {
        const __m256i flags = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(mask + j)));
        const __m256 valid = _mm256_castsi256_ps(_mm256_cmpgt_epi32(flags, _mm256_setzero_si256()));
        const __m256i index =
            _mm256_add_epi32(_mm256_set1_epi32(offset), _mm256_loadu_si256((const __m256i *)(pattern + j)));
        _mm256_storeu_ps(row + j, _mm256_mask_i32gather_ps(_mm256_setzero_ps(), plane, index, valid, 4));
    }
    gather_row(row + j, plane, offset, pattern + j, mask + j, count - j);
}

/* The adjoint of gather_row_avx512: plane[offset + pattern[j]] += row[j]
   where mask[j]. The positions of one row are distinct, so each vector
   gathers, adds and scatters without conflicts. */
FER_GATHER_TARGET static void scatter_add_row_avx512(float *plane, int32_t offset, const int32_t *pattern,
                                                     const uint8_t *mask, const float *row, long count) {
    long j = 0;
    for (; j + 16 <= count; j += 16) {
        __mmask16 valid;
        const __m512i index = window_offsets16(offset, pattern + j, mask + j, &valid);
        const __m512 sum = _mm512_add_ps(_mm512_mask_i32gather_ps(_mm512_setzero_ps(), valid, index, plane, 4),
                                         _mm512_loadu_ps(row + j));
        _mm512_mask_i32scatter_ps(plane, valid, index, sum, 4);
    }
    for (; j < count; ++j)
        if (mask[j]) plane[offset + pattern[j]] += row[j];
}

/* Lanes [first, last) of a 16-lane vector (clipped to it), as a mask. */
static inline __mmask16 lane_range(long first, long last) {
    first = fer_max(first, 0);
    last = fer_min(last, 16);
    if (last <= first) return 0;
    return (__mmask16)(((1u << last) - 1) & ~((1u << first) - 1));
}

/* The even lanes 2t of a vector for t in [first, last) (clipped to 0..<8):
   where the inputs of outputs t sit when a stride-2 row is read. */
static inline __mmask16 even_lanes(long first, long last) {
    first = fer_max(first, 0);
    last = fer_min(last, 8);
    if (last <= first) return 0;
    return (__mmask16)((((1u << (2 * last)) - 1) & ~((1u << (2 * first)) - 1)) & 0x5555);
}

/* Stride-2 rows are lowered 16 outputs at a time from the even lanes of two
   input vectors; this many vectors per row at most (wider rows use the
   generic loop). */
#define STRIDE2_MAX_VECTORS 64

/* The masks of one tap's stride-2 rows, the same for every output row:
   per vector of 16 outputs, the even input lanes of its two loads and the
   output lanes of the row. */
typedef struct {
    long vectors;
    __mmask16 first[STRIDE2_MAX_VECTORS], second[STRIDE2_MAX_VECTORS], store[STRIDE2_MAX_VECTORS];
} stride2_masks;

/* The masks of outputs [lo, hi) of rows `out_width` long. */
static void stride2_masks_init(long lo, long hi, long out_width, stride2_masks *masks) {
    masks->vectors = (out_width + 15) / 16;
    for (long v = 0, j = 0; v < masks->vectors; ++v, j += 16) {
        masks->first[v] = even_lanes(lo - j, hi - j);
        masks->second[v] = even_lanes(lo - j - 8, hi - j - 8);
        masks->store[v] = lane_range(0, out_width - j);
    }
}

/* Input row of output row oh for tap (kh, kw) (NULL where it lies outside
   the input), shifted so that output ow reads element 2 * ow. */
static inline const float *stride2_source(const float *plane, fer_window_geometry g, long kh, long kw, long oh) {
    const long ih = oh * g.stride_height - g.pad_height + kh * g.dilation_height;
    return ih < 0 || ih >= g.in_height ? NULL : plane + ih * g.in_width + kw * g.dilation_width - g.pad_width;
}

/* Output columns [*lo, *hi) of tap column kw whose input lies inside the row. */
static inline void stride2_range(fer_window_geometry g, long kw, long *lo, long *hi) {
    fer_valid_range(kw * g.dilation_width - g.pad_width, 2, g.in_width, g.out_width, lo, hi);
}

/* Outputs ow ..< ow + 16 of a stride-2 row, the even elements of
   source[0 ..< 32] under the masks of their two halves. */
FER_GATHER_TARGET static inline __m512 even_elements(const float *source, __mmask16 first, __mmask16 second) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(first, source), even,
                                  _mm512_maskz_loadu_ps(second, source + 16));
}

/* The adjoint of even_elements: adds `values` to the even elements of
   target[0 ..< 32] under the same masks. */
FER_GATHER_TARGET static inline void add_to_even_elements(float *target, __m512 values, __mmask16 first,
                                                          __mmask16 second) {
    const __m512i low_half = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    const __m512i high_half = _mm512_setr_epi32(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
    _mm512_mask_storeu_ps(target, first, _mm512_add_ps(_mm512_maskz_loadu_ps(first, target),
                                                       _mm512_permutexvar_ps(low_half, values)));
    _mm512_mask_storeu_ps(target + 16, second, _mm512_add_ps(_mm512_maskz_loadu_ps(second, target + 16),
                                                             _mm512_permutexvar_ps(high_half, values)));
}

/* Whether a plan's rows take the stride-2 kernels below: rows of more than
   half a vector (on narrower planes, whole-plane gathers do more per
   instruction) and at most STRIDE2_MAX_VECTORS vectors. */
static int lowers_stride2(const plan_header *plan, fer_window_geometry g) {
    return plan->mode != LOWERING_SHIFTED && g.stride_width == 2 && g.out_width > 8 &&
           (g.out_width + 15) / 16 <= STRIDE2_MAX_VECTORS && fer_cpu_has_avx512();
}

/* lower_rows for stride 2 across columns: 16 outputs from the even lanes of
   two masked loads and one two-source permute. Lanes outside the input are
   masked off, never read. */
FER_GATHER_TARGET static void lower_rows_stride2_avx512(const float *plane, fer_window_geometry g, long kh, long kw,
                                                        float *destination) {
    long lo, hi;
    stride2_range(g, kw, &lo, &hi);
    stride2_masks masks;
    stride2_masks_init(lo, hi, g.out_width, &masks);
    if (masks.vectors == 1) {
        /* Rows of one vector (outputs at most 16 wide): masks kept in registers (1.25x). */
        const __mmask16 first = masks.first[0], second = masks.second[0], store = masks.store[0];
        for (long oh = 0; oh < g.out_height; ++oh) {
            const float *source = stride2_source(plane, g, kh, kw, oh);
            _mm512_mask_storeu_ps(destination + oh * g.out_width, store,
                                  source ? even_elements(source, first, second) : _mm512_setzero_ps());
        }
        return;
    }
    for (long oh = 0; oh < g.out_height; ++oh) {
        float *line = destination + oh * g.out_width;
        const float *source = stride2_source(plane, g, kh, kw, oh);
        if (!source) {
            for (long v = 0; v < masks.vectors; ++v) _mm512_mask_storeu_ps(line + 16 * v, masks.store[v], _mm512_setzero_ps());
            continue;
        }
        for (long v = 0; v < masks.vectors; ++v)
            _mm512_mask_storeu_ps(line + 16 * v, masks.store[v],
                                  even_elements(source + 32 * v, masks.first[v], masks.second[v]));
    }
}

/* Floats of each phase buffer of the stride-2 lowering (8 KB for both on the stack). */
#define STRIDE2_PHASE_FLOATS 1024

/* Index, in a phase buffer, of phase element 0: room for the taps left of
   the first output (q < 0, see stride2_tap). */
static inline long stride2_origin(fer_window_geometry g) { return -fer_floor_div(-g.pad_width, 2); }

/* Tap kw reads element ow + q of column phase p (fer_stride2_tap). */
static inline void stride2_tap(fer_window_geometry g, long kw, long *p, long *q) {
    fer_stride2_tap(kw, g.dilation_width, g.pad_width, p, q);
}

/* Whether a stride-2 geometry is lowered by phases: kernels at least 5 wide
   (the stem's 7x7), whose split rows serve enough taps to pay for the split
   (3x3 and 1x1 windows are faster a tap at a time), with phases that fit
   the buffers: the elements split from a row (whole vectors of 32 inputs)
   and those the taps read. */
static int lowers_by_phases(fer_window_geometry g) {
    if (g.kernel_width < 5) return 0;
    long p, q_last;
    stride2_tap(g, g.kernel_width - 1, &p, &q_last);
    const long split = (g.in_width + 31) / 32 * 16, read = g.out_width + fer_max(q_last, 0);
    return stride2_origin(g) + fer_max(split, read) + 16 <= STRIDE2_PHASE_FLOATS;
}

/* Splits one input row into its even and odd elements at phases[p] + origin
   (zeros past the row: masked lanes read as zero). */
FER_GATHER_TARGET static inline void split_phases(const float *source, long width, float *even, float *odd) {
    const __m512i even_lanes_index = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd_lanes_index = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    for (long t = 0; t < width; t += 32) {
        const __m512 a = _mm512_maskz_loadu_ps(lane_range(0, width - t), source + t);
        const __m512 b = _mm512_maskz_loadu_ps(lane_range(0, width - t - 16), source + t + 16);
        _mm512_storeu_ps(even + t / 2, _mm512_permutex2var_ps(a, even_lanes_index, b));
        _mm512_storeu_ps(odd + t / 2, _mm512_permutex2var_ps(a, odd_lanes_index, b));
    }
}

/* fer_im2col for stride 2 across columns, by phases: every input row a
   kernel row reads is split once into even and odd elements, and each of
   its taps then copies a contiguous run of one phase (one load and one
   store per 16 outputs). Rows of the same channel and kernel row are
   lowered together. */
FER_GATHER_TARGET static void lower_stride2_avx512(const float *x, long first_row, long rows, fer_window_geometry g,
                                                   float *col, long ldcol) {
    const long taps = g.kernel_height * g.kernel_width, in_plane = g.in_height * g.in_width;
    const long out_width = g.out_width, origin = stride2_origin(g);
    const __mmask16 tail = lane_range(0, out_width % 16 ? out_width % 16 : 16);
    const long full = (out_width - 1) / 16; /* vectors before the (possibly partial) last one */
    float phases[2][STRIDE2_PHASE_FLOATS] __attribute__((aligned(64)));
    memset(phases, 0, sizeof phases);
    for (long r = first_row; r < first_row + rows;) {
        const long tap = r % taps, kh = tap / g.kernel_width, first_kw = tap % g.kernel_width;
        const long end_kw = fer_min(g.kernel_width, first_kw + first_row + rows - r);
        const float *plane = x + (r / taps) * in_plane;
        float *lines = col + (r - first_row) * ldcol;
        for (long oh = 0; oh < g.out_height; ++oh) {
            const long ih = oh * g.stride_height - g.pad_height + kh * g.dilation_height;
            const int inside = ih >= 0 && ih < g.in_height;
            if (inside) split_phases(plane + ih * g.in_width, g.in_width, phases[0] + origin, phases[1] + origin);
            for (long kw = first_kw; kw < end_kw; ++kw) {
                float *line = lines + (kw - first_kw) * ldcol + oh * out_width;
                long p, q;
                stride2_tap(g, kw, &p, &q);
                const float *run = phases[p] + origin + q;
                for (long v = 0; v < full; ++v)
                    _mm512_storeu_ps(line + 16 * v, inside ? _mm512_loadu_ps(run + 16 * v) : _mm512_setzero_ps());
                _mm512_mask_storeu_ps(line + 16 * full, tail,
                                      inside ? _mm512_maskz_loadu_ps(tail, run + 16 * full) : _mm512_setzero_ps());
            }
        }
        r += end_kw - first_kw;
    }
}

/* The adjoint of lower_rows_stride2_avx512: 16 values of a row spread to
   the even lanes of two vectors and added to the input row under the same
   even-lane masks. */
FER_GATHER_TARGET static void scatter_add_rows_stride2_avx512(const float *row, fer_window_geometry g, long kh,
                                                              long kw, float *plane) {
    long lo, hi;
    stride2_range(g, kw, &lo, &hi);
    stride2_masks masks;
    stride2_masks_init(lo, hi, g.out_width, &masks);
    if (masks.vectors == 1) {
        /* Rows of one vector: masks kept in registers. */
        const __mmask16 first = masks.first[0], second = masks.second[0], lanes = masks.store[0];
        for (long oh = 0; oh < g.out_height; ++oh) {
            float *target = (float *)stride2_source(plane, g, kh, kw, oh);
            if (target)
                add_to_even_elements(target, _mm512_maskz_loadu_ps(lanes, row + oh * g.out_width), first, second);
        }
        return;
    }
    const long first_vector = lo / 16, end_vector = (hi + 15) / 16;
    for (long oh = 0; oh < g.out_height; ++oh) {
        float *target = (float *)stride2_source(plane, g, kh, kw, oh);
        if (!target) continue;
        const float *line = row + oh * g.out_width;
        for (long v = first_vector; v < end_vector; ++v)
            add_to_even_elements(target + 32 * v, _mm512_maskz_loadu_ps(masks.store[v], line + 16 * v),
                                 masks.first[v], masks.second[v]);
    }
}

/* col2im of a halving window, storing the whole plane: the row's values
   expanded into the even columns of the even rows, zeros everywhere else. */
FER_GATHER_TARGET static void double_plane_avx512(const float *row, fer_window_geometry g, float *plane) {
    for (long ih = 0; ih < g.in_height; ++ih) {
        float *target = plane + ih * g.in_width;
        const int covered = ih % 2 == 0 && ih / 2 < g.out_height;
        const float *source = row + (ih / 2) * g.out_width;
        for (long i = 0; i < g.in_width; i += 16) {
            const __mmask16 lanes = (__mmask16)((1u << fer_min(16, g.in_width - i)) - 1);
            const __m512 v = covered ? _mm512_maskz_expandloadu_ps((__mmask16)(0x5555 & lanes), source + i / 2)
                                     : _mm512_setzero_ps();
            _mm512_mask_storeu_ps(target + i, lanes, v);
        }
    }
}

#define FER_AVX2_TARGET __attribute__((target("avx2")))

/* target[2 * ow] += line[ow] for ow in [lo, hi), where target[t] lies in
   the row for t < room: 8 values spread to the even lanes of two vectors
   (the odd lanes add zero) while all 16 lie in the row, then one at a
   time. For CPUs without AVX-512, whose compilers keep this loop scalar
   (the stem's col2im in a C harness: 129 -> 91 us per sample). */
FER_AVX2_TARGET static inline void add_to_even_elements_avx2(float *target, const float *line, long lo, long hi,
                                                             long room) {
    const __m256 zero = _mm256_setzero_ps();
    long ow = lo;
    for (; ow + 8 <= hi && 2 * ow + 16 <= room; ow += 8) {
        const __m256 values = _mm256_loadu_ps(line + ow);
        const __m256 low = _mm256_unpacklo_ps(values, zero), high = _mm256_unpackhi_ps(values, zero);
        float *t = target + 2 * ow;
        _mm256_storeu_ps(t, _mm256_add_ps(_mm256_loadu_ps(t), _mm256_permute2f128_ps(low, high, 0x20)));
        _mm256_storeu_ps(t + 8, _mm256_add_ps(_mm256_loadu_ps(t + 8), _mm256_permute2f128_ps(low, high, 0x31)));
    }
    for (; ow < hi; ++ow) target[2 * ow] += line[ow];
}

/* The even elements of src[0 ..< 16] (8 of them). */
FER_AVX2_TARGET static inline __m256 even_of_16(const float *src) {
    const __m256 evens = _mm256_shuffle_ps(_mm256_loadu_ps(src), _mm256_loadu_ps(src + 8), _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(evens), _MM_SHUFFLE(3, 1, 2, 0)));
}

/* values[0 ..< 8] interleaved with zeros: 16 floats in *low and *high. */
FER_AVX2_TARGET static inline void interleave_with_zeros(__m256 values, __m256 *low, __m256 *high) {
    const __m256 zero = _mm256_setzero_ps();
    const __m256 a = _mm256_unpacklo_ps(values, zero), b = _mm256_unpackhi_ps(values, zero);
    *low = _mm256_permute2f128_ps(a, b, 0x20);
    *high = _mm256_permute2f128_ps(a, b, 0x31);
}

/* im2col of a halving window: the even columns of the even rows, 8 outputs
   from each 16-float load. On planes 16 or more wide, while all 16 floats
   lie in the row, then one element at a time (running the last vector into
   the next row's outputs, as below, measured 1.0-1.15x slower there). On
   planes 8 to 15 wide (4 to 8 outputs per row), one vector per row whose
   lanes past the row's outputs land where the next row's go, stored after
   it; the last row goes one element at a time. */
FER_AVX2_TARGET static void halve_plane_avx2(const float *plane, fer_window_geometry g, float *restrict row) {
    for (long oh = 0; oh < g.out_height; ++oh) {
        const long start = 2 * oh * g.in_width;
        const int last = oh + 1 == g.out_height;
        float *target = row + oh * g.out_width;
        long ow = 0;
        if (g.in_width < 16) {
            if (!last) { /* the 16 floats lie in input rows 2 * oh and 2 * oh + 1 */
                _mm256_storeu_ps(target, even_of_16(plane + start));
                continue;
            }
        } else {
            for (; ow + 8 <= g.out_width && 2 * ow + 16 <= g.in_width; ow += 8)
                _mm256_storeu_ps(target + ow, even_of_16(plane + start + 2 * ow));
        }
        for (; ow < g.out_width; ++ow) target[ow] = plane[start + 2 * ow];
    }
}

/* col2im of a halving window, storing the whole plane: 16 columns per two
   vector stores, the values of an even row interleaved with zeros, zeros in
   an odd row. A row's last stores may run into the next row, which is
   stored after it; in the last row, and where a load of 8 values would
   leave the column row, the rest goes one element at a time. Planes 8 to
   15 wide take one pair of stores per row. */
FER_AVX2_TARGET static void double_plane_avx2(const float *row, fer_window_geometry g, float *plane) {
    const long out_plane = g.out_height * g.out_width;
    for (long ih = 0; ih < g.in_height; ++ih) {
        float *target = plane + ih * g.in_width;
        const int even = ih % 2 == 0, last = ih + 1 == g.in_height;
        const long first_value = (ih / 2) * g.out_width;
        /* Outside the last row, 16 floats from iw < in_width lie in rows ih and ih + 1 (rows are at least 8 wide). */
        const long limit = last ? g.in_width - 15 : g.in_width;
        long iw = 0;
        for (; iw < limit && (!even || first_value + iw / 2 + 8 <= out_plane); iw += 16) {
            __m256 low = _mm256_setzero_ps(), high = low;
            if (even) interleave_with_zeros(_mm256_loadu_ps(row + first_value + iw / 2), &low, &high);
            _mm256_storeu_ps(target + iw, low);
            _mm256_storeu_ps(target + iw + 8, high);
        }
        for (; iw < g.in_width; ++iw) target[iw] = even && iw % 2 == 0 ? row[first_value + iw / 2] : 0.0f;
    }
}
#endif

static void choose_vector_kernels(plan_header *plan, fer_window_geometry g) {
    plan->halving_by_avx2 = halves_by_avx2(g);
    plan->gathers_avx512 = plan->gathers_avx2 = plan->stride2_avx512 = 0;
    plan->stride2_phases_avx512 = plan->doubles_avx512 = plan->even_adds_avx2 = 0;
#if FER_HAS_GATHER_KERNEL
    const int avx512 = fer_cpu_has_avx512(), avx2 = fer_cpu_has_avx2_fma();
    plan->gathers_avx512 = plan->mode == LOWERING_GATHERED && avx512;
    plan->gathers_avx2 = plan->mode == LOWERING_GATHERED && !avx512 && avx2;
    plan->stride2_avx512 = lowers_stride2(plan, g);
    plan->stride2_phases_avx512 = plan->stride2_avx512 && lowers_by_phases(g);
    plan->doubles_avx512 = halves_plane(g) && avx512;
    plan->even_adds_avx2 = !avx512 && avx2;
#else
    (void)g;
#endif
}

/* Gathers read planes in an order that the hardware prefetchers do not
   follow: each channel's rows fetch the next channel's plane while they
   gather from theirs (a C harness with the input in memory: im2col of
   ResNet's 1x1 stride-2 shortcuts 1.4-2x faster, the whole forward pass of
   layer2's 1.1x). The plane past the last channel is never read. */
static inline void prefetch_plane(const float *plane, long count) {
    for (long t = 0; t < count; t += 64 / (long)sizeof(float)) __builtin_prefetch(plane + t, 0, 3);
}

FER_HOT FER_INLINE_COPIES void fer_im2col(const float *x, long first_row, long rows, fer_window_geometry g,
                                          const void *lowering_plan, float *col, long ldcol) {
    const plan_header *plan = lowering_plan;
    const long taps = plan->taps, out_plane = plan->out_plane, in_plane = g.in_height * g.in_width;
    const int32_t *pattern = plan_pattern(plan), *offsets = plan_offsets(plan);
    const uint8_t *masks = plan_masks(plan);
    if (plan->phase_im2col) {
        fer_phase_im2col(x, first_row, rows, g, col, ldcol);
        return;
    }
#if FER_HAS_GATHER_KERNEL
    if (plan->stride2_phases_avx512) {
        lower_stride2_avx512(x, first_row, rows, g, col, ldcol);
        return;
    }
#endif
    for (long r = first_row; r < first_row + rows; ++r) {
        const long tap = r % taps;
        const float *plane = x + (r / taps) * in_plane;
        float *restrict row = col + (r - first_row) * ldcol;
        if (tap == 0 && plan->mode == LOWERING_GATHERED) prefetch_plane(plane + in_plane, in_plane);
#if FER_HAS_GATHER_KERNEL
        if (plan->halving_by_avx2) {
            halve_plane_avx2(plane, g, row); /* its one tap */
            continue;
        }
        if (plan->stride2_avx512) {
            lower_rows_stride2_avx512(plane, g, tap / g.kernel_width, tap % g.kernel_width, row);
            continue;
        }
#endif
        if (plan->mode == LOWERING_ROWS) {
            lower_rows(plane, g, tap / g.kernel_width, tap % g.kernel_width, row);
            continue;
        }
        const uint8_t *restrict mask = masks + tap * out_plane;
        if (plan->mode == LOWERING_SHIFTED) {
            /* Masked positions are never read, so `source` may point outside the plane. */
            const float *source = plane + offsets[tap];
            for (long j = 0; j < out_plane; ++j) row[j] = mask[j] ? source[j] : 0.0f;
            continue;
        }
#if FER_HAS_GATHER_KERNEL
        if (plan->gathers_avx512) {
            gather_row_avx512(row, plane, offsets[tap], pattern, mask, out_plane);
            continue;
        }
        if (plan->gathers_avx2) {
            gather_row_avx2(row, plane, offsets[tap], pattern, mask, out_plane);
            continue;
        }
#endif
        gather_row(row, plane, offsets[tap], pattern, mask, out_plane);
    }
}

FER_HOT void fer_col2im(const float *col, long ldcol, long first_row, long rows, fer_window_geometry g,
                        const void *lowering_plan, float *x) {
    const plan_header *plan = lowering_plan;
    const long taps = plan->taps, out_plane = plan->out_plane, in_plane = g.in_height * g.in_width;
    const int32_t *offsets = plan_offsets(plan), *pattern = plan_pattern(plan);
    const uint8_t *masks = plan_masks(plan);
    const long out_width = g.out_width;
    if (plan->phase_col2im) {
        fer_phase_col2im(col, ldcol, first_row, rows, g, x);
        return;
    }
    for (long r = first_row; r < first_row + rows; ++r) {
        const long tap = r % taps;
        float *plane = x + (r / taps) * in_plane;
        const float *restrict row = col + (r - first_row) * ldcol;
#if FER_HAS_GATHER_KERNEL
        if (plan->doubles_avx512) {
            double_plane_avx512(row, g, plane); /* its one tap stores the whole plane */
            continue;
        }
        if (plan->halving_by_avx2) {
            double_plane_avx2(row, g, plane);
            continue;
        }
#endif
        /* Zeroed here rather than beforehand, while the plane is about to be in cache anyway. */
        if (tap == 0) memset(plane, 0, (size_t)in_plane * sizeof(float));
#if FER_HAS_GATHER_KERNEL
        if (plan->stride2_avx512) {
            scatter_add_rows_stride2_avx512(row, g, tap / g.kernel_width, tap % g.kernel_width, plane);
            continue;
        }
        if (plan->gathers_avx512) { /* the gathers' adjoint: scatters */
            scatter_add_row_avx512(plane, offsets[tap], pattern, masks + tap * out_plane, row, out_plane);
            continue;
        }
#endif
        if (plan->mode == LOWERING_SHIFTED) {
            const uint8_t *restrict mask = masks + tap * out_plane;
            float *restrict target = plane + offsets[tap];
            for (long j = 0; j < out_plane; ++j)
                if (mask[j]) target[j] += row[j];
            continue;
        }
        const long kh = tap / g.kernel_width, kw = tap % g.kernel_width;
        const long column_offset = kw * g.dilation_width - g.pad_width;
        long lo, hi;
        fer_valid_range(column_offset, g.stride_width, g.in_width, out_width, &lo, &hi);
        for (long oh = 0; oh < g.out_height; ++oh) {
            const long ih = oh * g.stride_height - g.pad_height + kh * g.dilation_height;
            if (ih < 0 || ih >= g.in_height) continue;
            const float *line = row + oh * out_width;
            float *target = plane + ih * g.in_width + column_offset;
            if (g.stride_width == 1) {
                for (long ow = lo; ow < hi; ++ow) target[ow] += line[ow];
#if FER_HAS_GATHER_KERNEL
            } else if (g.stride_width == 2 && plan->even_adds_avx2) {
                add_to_even_elements_avx2(target, line, lo, hi, g.in_width - column_offset);
#endif
            } else if (g.stride_width == 2) {
                for (long ow = lo; ow < hi; ++ow) target[2 * ow] += line[ow];
            } else {
                for (long ow = lo; ow < hi; ++ow) target[ow * g.stride_width] += line[ow];
            }
        }
    }
}
