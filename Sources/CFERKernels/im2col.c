// Lowering of 2-D convolution to GEMM: im2col and its adjoint col2im.
#include <stdint.h>
#include "dispatch.h"
#include "fer_kernels.h"

/* Rows here are short (tens of floats): inline loops, which the compiler
   vectorises, instead of a memcpy/memset call per row. FER_INLINE_COPIES keeps
   clang from turning the loops back into library calls. */
#if defined(__clang__)
#define FER_INLINE_COPIES __attribute__((no_builtin("memcpy", "memset")))
#else
#define FER_INLINE_COPIES
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
   (int32), then masks[taps][out_plane] (one byte per output position). */
typedef struct {
    long mode, taps, out_plane;
} plan_header;

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

long fer_lowering_plan_size(fer_window_geometry g) {
    const long taps = g.kernel_height * g.kernel_width, out_plane = g.out_height * g.out_width;
    return (long)sizeof(plan_header) + (long)sizeof(int32_t) * (out_plane + taps) + taps * out_plane;
}

void fer_lowering_plan_init(fer_window_geometry g, void *storage) {
    plan_header *plan = storage;
    plan->mode = lowering_mode(g);
    plan->taps = g.kernel_height * g.kernel_width;
    plan->out_plane = g.out_height * g.out_width;
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

FER_HOT FER_INLINE_COPIES void fer_im2col(const float *x, long channels, fer_window_geometry g, const void *lowering_plan,
                                          float *col, long ldcol) {
    const plan_header *plan = lowering_plan;
    const long taps = plan->taps, out_plane = plan->out_plane, in_plane = g.in_height * g.in_width;
    const int32_t *pattern = plan_pattern(plan), *offsets = plan_offsets(plan);
    const uint8_t *masks = plan_masks(plan);
    for (long c = 0; c < channels; ++c) {
        const float *plane = x + c * in_plane;
        for (long tap = 0; tap < taps; ++tap) {
            float *restrict row = col + (c * taps + tap) * ldcol;
            if (plan->mode == LOWERING_ROWS) {
                lower_rows(plane, g, tap / g.kernel_width, tap % g.kernel_width, row);
                continue;
            }
            const uint8_t *restrict mask = masks + tap * out_plane;
            if (plan->mode == LOWERING_SHIFTED) {
                /* Masked positions are never read, so `source` may point outside the plane. */
                const float *source = plane + offsets[tap];
                for (long j = 0; j < out_plane; ++j) row[j] = mask[j] ? source[j] : 0.0f;
            } else {
                /* Every position reads inside the plane (masked ones its first
                   element), so the loop vectorises as a gather and a select. */
                const int32_t offset = offsets[tap];
                for (long j = 0; j < out_plane; ++j) {
                    const float value = plane[mask[j] ? offset + pattern[j] : 0];
                    row[j] = mask[j] ? value : 0.0f;
                }
            }
        }
    }
}

FER_HOT void fer_col2im(const float *col, long ldcol, long channels, fer_window_geometry g, const void *lowering_plan,
                        float *x) {
    const plan_header *plan = lowering_plan;
    const long taps = plan->taps, out_plane = plan->out_plane, in_plane = g.in_height * g.in_width;
    const int32_t *offsets = plan_offsets(plan);
    const uint8_t *masks = plan_masks(plan);
    const long out_width = g.out_width;
    for (long c = 0; c < channels; ++c) {
        float *plane = x + c * in_plane;
        for (long tap = 0; tap < taps; ++tap) {
            const float *restrict row = col + (c * taps + tap) * ldcol;
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
                } else if (g.stride_width == 2) {
                    for (long ow = lo; ow < hi; ++ow) target[2 * ow] += line[ow];
                } else {
                    for (long ow = lo; ow < hi; ++ow) target[ow * g.stride_width] += line[ow];
                }
            }
        }
    }
}
