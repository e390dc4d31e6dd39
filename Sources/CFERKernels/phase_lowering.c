// im2col and col2im for stride 2 through phase planes.
//
// With stride 2, tap t of an axis reads input position 2 * o + t * d - p =
// 2 * (o + q) + parity: element o + q of one of the axis's two phases (the
// even or the odd positions). Each input plane is split once into its four
// phase planes (even/odd rows x even/odd columns), laid out with zero
// margins wide enough for every tap's shift q; each tap's column row then is
// a plain copy of one phase plane's window, a run of out_width floats per
// output row, with no masks or gathers. For CPUs without AVX-512, whose
// 8-lane gathers cost about 2.3 cycles per float on narrow strided planes.
#include <string.h>
#include "dispatch.h"
#include "fer_kernels.h"

/* Floats of the four phase planes of one input plane, on the stack (64 KB:
   the stem's 7x7 window on 100x100 images takes 47 KB; larger planes keep
   the other lowerings, whose rows stream from the input). And floats of one
   input row in the order the planes need it, on the stack (2 KB). */
#define PHASE_MAX_FLOATS 16384
#define LINE_FLOATS 512

/* Unaligned vectors of 8 and 4 floats (one AVX or SSE register where the target has them). */
typedef float floats8 __attribute__((vector_size(32), aligned(4), may_alias));
typedef float floats4 __attribute__((vector_size(16), aligned(4), may_alias));

/* Where phase planes live: phase (ph, pw) element (i, j) holds input
   (2 * (i + q_row) + ph, 2 * (j + q_column) + pw), zero outside the input,
   for i < rows and j < columns (out_height and out_width plus the spread of
   the taps' shifts); rows are `stride` floats apart, a whole number of
   vectors of 8. A row pair of phases is an input row read from column
   2 * q_column on, 2 * stride floats; of those, [line_lo, line_hi) lie
   inside the input row. */
typedef struct {
    long q_row, q_column, rows, columns, stride, line_lo, line_hi;
    int row_parity_used[2]; /* whether some tap reads the phases of even (0) or odd (1) input rows */
} phase_layout;

static phase_layout layout_of(fer_window_geometry g) {
    phase_layout layout;
    long parity, q_last;
    fer_stride2_tap(0, g.dilation_height, g.pad_height, &parity, &layout.q_row);
    fer_stride2_tap(g.kernel_height - 1, g.dilation_height, g.pad_height, &parity, &q_last);
    layout.rows = g.out_height + q_last - layout.q_row;
    fer_stride2_tap(0, g.dilation_width, g.pad_width, &parity, &layout.q_column);
    fer_stride2_tap(g.kernel_width - 1, g.dilation_width, g.pad_width, &parity, &q_last);
    layout.columns = g.out_width + q_last - layout.q_column;
    layout.stride = (layout.columns + 7) / 8 * 8;
    const long shift = 2 * layout.q_column, length = 2 * layout.stride;
    layout.line_lo = fer_min(fer_max(-shift, 0), length);
    layout.line_hi = fer_max(fer_min(g.in_width - shift, length), layout.line_lo);
    layout.row_parity_used[0] = layout.row_parity_used[1] = 0;
    for (long kh = 0; kh < g.kernel_height; ++kh) {
        long q;
        fer_stride2_tap(kh, g.dilation_height, g.pad_height, &parity, &q);
        layout.row_parity_used[parity] = 1;
    }
    return layout;
}

static inline long phase_floats(const phase_layout *layout) { return 4 * layout->rows * layout->stride; }

int fer_phase_lowering_fits(fer_window_geometry g) {
    if (g.stride_height != 2 || g.stride_width != 2) return 0;
    const phase_layout layout = layout_of(g);
    return phase_floats(&layout) <= PHASE_MAX_FLOATS && 2 * layout.stride <= LINE_FLOATS;
}

static inline float *phase_plane(float *phases, const phase_layout *layout, long ph, long pw) {
    return phases + (2 * ph + pw) * layout->rows * layout->stride;
}

/* The first element of tap (kh, kw)'s window in its phase plane. */
static inline float *tap_window(float *phases, const phase_layout *layout, fer_window_geometry g, long tap) {
    long ph, pw, qh, qw;
    fer_stride2_tap(tap / g.kernel_width, g.dilation_height, g.pad_height, &ph, &qh);
    fer_stride2_tap(tap % g.kernel_width, g.dilation_width, g.pad_width, &pw, &qw);
    return phase_plane(phases, layout, ph, pw) + (qh - layout->q_row) * layout->stride + (qw - layout->q_column);
}

/* Input row `ih` of a phase row pair (zero outside the input): phase row i
   of parity ph reads input row 2 * (i + q_row) + ph. */
static inline long input_row(const phase_layout *layout, long i, long ph) { return 2 * (i + layout->q_row) + ph; }

/* Splits one input plane into its phase planes (those of the row parities
   that some tap reads): each input row is
   copied into `line` from column 2 * q_column on (zeros outside the row),
   then its even and odd elements go to the two phase planes of its parity. */
static inline __attribute__((always_inline)) FER_INLINE_COPIES void split_plane(const float *plane,
                                                                                fer_window_geometry g,
                                                                                const phase_layout *layout,
                                                                                float *phases) {
    float line[LINE_FLOATS] __attribute__((aligned(64)));
    const long shift = 2 * layout->q_column, length = 2 * layout->stride, lo = layout->line_lo, hi = layout->line_hi;
    for (long ph = 0; ph < 2; ++ph) {
        if (!layout->row_parity_used[ph]) continue;
        float *even = phase_plane(phases, layout, ph, 0), *odd = phase_plane(phases, layout, ph, 1);
        for (long i = 0; i < layout->rows; ++i, even += layout->stride, odd += layout->stride) {
            const long ih = input_row(layout, i, ph);
            if (ih < 0 || ih >= g.in_height) {
                for (long j = 0; j < layout->stride; ++j) even[j] = odd[j] = 0.0f;
                continue;
            }
            const float *source = plane + ih * g.in_width + shift;
            for (long t = 0; t < lo; ++t) line[t] = 0.0f;
            for (long t = lo; t < hi; ++t) line[t] = source[t];
            for (long t = hi; t < length; ++t) line[t] = 0.0f;
            for (long j = 0; j < layout->stride; j += 8) {
                const floats8 a = *(const floats8 *)(line + 2 * j), b = *(const floats8 *)(line + 2 * j + 8);
                *(floats8 *)(even + j) = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
                *(floats8 *)(odd + j) = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
            }
        }
    }
}

/* dst[0 ..< n] = src[0 ..< n] in vectors of 8 (or 4), the last one
   overlapping the one before it rather than running a scalar tail. */
static inline __attribute__((always_inline)) FER_INLINE_COPIES void copy_run(float *restrict dst,
                                                                             const float *restrict src, long n) {
    if (n >= 8) {
        for (long j = 0; j + 8 < n; j += 8) *(floats8 *)(dst + j) = *(const floats8 *)(src + j);
        *(floats8 *)(dst + n - 8) = *(const floats8 *)(src + n - 8);
    } else if (n >= 4) {
        *(floats4 *)dst = *(const floats4 *)src;
        *(floats4 *)(dst + n - 4) = *(const floats4 *)(src + n - 4);
    } else {
        for (long j = 0; j < n; ++j) dst[j] = src[j];
    }
}

FER_HOT FER_INLINE_COPIES void fer_phase_im2col(const float *x, long first_row, long rows, fer_window_geometry g,
                                                float *col, long ldcol) {
    const phase_layout layout = layout_of(g);
    const long taps = g.kernel_height * g.kernel_width, in_plane = g.in_height * g.in_width;
    const long out_width = g.out_width, out_plane = g.out_height * out_width;
    float phases[PHASE_MAX_FLOATS] __attribute__((aligned(64)));
    for (long r = first_row; r < first_row + rows; ++r) {
        const long tap = r % taps;
        if (tap == 0 || r == first_row) split_plane(x + (r / taps) * in_plane, g, &layout, phases);
        const float *window = tap_window(phases, &layout, g, tap);
        float *row = col + (r - first_row) * ldcol;
        if (layout.stride == out_width) {
            copy_run(row, window, out_plane); /* the window is one contiguous run */
            continue;
        }
        for (long oh = 0; oh < g.out_height; ++oh) copy_run(row + oh * out_width, window + oh * layout.stride, out_width);
    }
}

/* Adds the phase planes back into the input plane (or stores them, with
   zeros where no tap reaches, when `overwrite`): the even and odd phase rows
   of each input row are interleaved into `line`, whose window over the row
   is then added or stored. */
static inline __attribute__((always_inline)) FER_INLINE_COPIES void merge_plane(float *phases,
                                                                                const phase_layout *layout,
                                                                                fer_window_geometry g, int overwrite,
                                                                                float *plane) {
    float line[LINE_FLOATS] __attribute__((aligned(64)));
    const long shift = 2 * layout->q_column, lo = layout->line_lo, hi = layout->line_hi;
    for (long ih = 0; ih < g.in_height; ++ih) {
        float *target = plane + ih * g.in_width;
        const long ph = ih & 1, i = (ih - ph) / 2 - layout->q_row;
        if (i < 0 || i >= layout->rows) {
            if (overwrite)
                for (long iw = 0; iw < g.in_width; ++iw) target[iw] = 0.0f;
            continue;
        }
        const float *even = phase_plane(phases, layout, ph, 0) + i * layout->stride;
        const float *odd = phase_plane(phases, layout, ph, 1) + i * layout->stride;
        for (long j = 0; j < layout->stride; j += 8) {
            const floats8 a = *(const floats8 *)(even + j), b = *(const floats8 *)(odd + j);
            *(floats8 *)(line + 2 * j) = __builtin_shufflevector(a, b, 0, 8, 1, 9, 2, 10, 3, 11);
            *(floats8 *)(line + 2 * j + 8) = __builtin_shufflevector(a, b, 4, 12, 5, 13, 6, 14, 7, 15);
        }
        /* Input column iw is line[iw - shift]; columns [lo + shift, hi + shift) have one. */
        float *window = target + shift;
        if (overwrite) {
            for (long t = 0; t < lo + shift; ++t) target[t] = 0.0f;
            for (long t = lo; t < hi; ++t) window[t] = line[t];
            for (long t = hi + shift; t < g.in_width; ++t) target[t] = 0.0f;
        } else {
            for (long t = lo; t < hi; ++t) window[t] += line[t];
        }
    }
}

FER_HOT FER_INLINE_COPIES void fer_phase_col2im(const float *col, long ldcol, long first_row, long rows,
                                                fer_window_geometry g, float *x) {
    const phase_layout layout = layout_of(g);
    const long taps = g.kernel_height * g.kernel_width, in_plane = g.in_height * g.in_width;
    const long out_width = g.out_width, floats = phase_floats(&layout);
    float phases[PHASE_MAX_FLOATS] __attribute__((aligned(64)));
    int overwrite = 0;
    for (long r = first_row; r < first_row + rows; ++r) {
        const long tap = r % taps;
        if (tap == 0 || r == first_row) {
            for (long t = 0; t < floats; ++t) phases[t] = 0.0f;
            overwrite = tap == 0;
        }
        float *window = tap_window(phases, &layout, g, tap);
        const float *row = col + (r - first_row) * ldcol;
        for (long oh = 0; oh < g.out_height; ++oh) {
            float *target = window + oh * layout.stride;
            const float *source = row + oh * out_width;
            for (long ow = 0; ow < out_width; ++ow) target[ow] += source[ow];
        }
        if (tap == taps - 1 || r == first_row + rows - 1)
            merge_plane(phases, &layout, g, overwrite, x + (r / taps) * in_plane);
    }
}
