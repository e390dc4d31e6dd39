// Lowering of 2-D convolution to GEMM: im2col and its adjoint col2im.
#include <string.h>
#include "dispatch.h"
#include "fer_kernels.h"

FER_HOT void fer_im2col(const float *x, long channels, fer_window_geometry g, float *col, long ldcol) {
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
                        memset(line, 0, sizeof(float) * out_width);
                        continue;
                    }
                    const float *source = plane + ih * g.in_width + column_offset;
                    memset(line, 0, sizeof(float) * lo);
                    if (g.stride_width == 1) {
                        memcpy(line + lo, source + lo, sizeof(float) * (hi - lo));
                    } else {
                        for (long ow = lo; ow < hi; ++ow) line[ow] = source[ow * g.stride_width];
                    }
                    memset(line + hi, 0, sizeof(float) * (out_width - hi));
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
