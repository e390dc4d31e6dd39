// Lowering of 2-D convolution to GEMM: im2col and its adjoint col2im.
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

FER_HOT FER_INLINE_COPIES void fer_im2col(const float *x, long channels, fer_window_geometry g, float *col, long ldcol) {
    const long out_width = g.out_width;
    for (long c = 0; c < channels; ++c) {
        const float *plane = x + c * g.in_height * g.in_width;
        for (long kh = 0; kh < g.kernel_height; ++kh) {
            for (long kw = 0; kw < g.kernel_width; ++kw) {
                const long row = (c * g.kernel_height + kh) * g.kernel_width + kw;
                float *destination = col + row * ldcol;
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
                    if (g.stride_width == 1) {
                        for (long ow = lo; ow < hi; ++ow) line[ow] = source[ow];
                    } else {
                        for (long ow = lo; ow < hi; ++ow) line[ow] = source[ow * g.stride_width];
                    }
                    for (long ow = hi; ow < out_width; ++ow) line[ow] = 0.0f;
                }
            }
        }
    }
}

FER_HOT void fer_col2im(const float *col, long ldcol, long channels, fer_window_geometry g, float *x) {
    const long out_width = g.out_width;
    for (long c = 0; c < channels; ++c) {
        float *plane = x + c * g.in_height * g.in_width;
        for (long kh = 0; kh < g.kernel_height; ++kh) {
            for (long kw = 0; kw < g.kernel_width; ++kw) {
                const long row = (c * g.kernel_height + kh) * g.kernel_width + kw;
                const float *source = col + row * ldcol;
                const long column_offset = kw * g.dilation_width - g.pad_width;
                long lo, hi;
                fer_valid_range(column_offset, g.stride_width, g.in_width, out_width, &lo, &hi);
                for (long oh = 0; oh < g.out_height; ++oh) {
                    const long ih = oh * g.stride_height - g.pad_height + kh * g.dilation_height;
                    if (ih < 0 || ih >= g.in_height) continue;
                    const float *line = source + oh * out_width;
                    float *target = plane + ih * g.in_width + column_offset;
                    if (g.stride_width == 1) {
                        for (long ow = lo; ow < hi; ++ow) target[ow] += line[ow];
                    } else {
                        for (long ow = lo; ow < hi; ++ow) target[ow * g.stride_width] += line[ow];
                    }
                }
            }
        }
    }
}
