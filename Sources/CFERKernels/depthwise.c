// Direct depthwise convolution (groups == input channels), forward and backward.
#include <string.h>
#include "dispatch.h"
#include "fer_kernels.h"

FER_HOT void fer_depthwise_forward(const float *x, const float *weight, float *y,
                                   long channels, long multiplier, fer_window_geometry g,
                                   long plane_begin, long plane_end) {
    const long in_plane = g.in_height * g.in_width, out_plane = g.out_height * g.out_width;
    const long taps = g.kernel_height * g.kernel_width;
    for (long p = plane_begin; p < plane_end; ++p) {
        const long n = p / channels, c = p % channels;
        const float *input = x + p * in_plane;
        for (long j = 0; j < multiplier; ++j) {
            const long o = c * multiplier + j;
            float *output = y + (n * channels * multiplier + o) * out_plane;
            for (long i = 0; i < out_plane; ++i) output[i] = 0.0f;
            for (long kh = 0; kh < g.kernel_height; ++kh) {
                for (long kw = 0; kw < g.kernel_width; ++kw) {
                    const float w = weight[o * taps + kh * g.kernel_width + kw];
                    const long column_offset = kw * g.dilation_width - g.pad_width;
                    long lo, hi;
                    fer_valid_range(column_offset, g.stride_width, g.in_width, g.out_width, &lo, &hi);
                    for (long oh = 0; oh < g.out_height; ++oh) {
                        const long ih = oh * g.stride_height - g.pad_height + kh * g.dilation_height;
                        if (ih < 0 || ih >= g.in_height) continue;
                        const float *source = input + ih * g.in_width + column_offset;
                        float *line = output + oh * g.out_width;
                        if (g.stride_width == 1) {
                            for (long ow = lo; ow < hi; ++ow) line[ow] += w * source[ow];
                        } else {
                            for (long ow = lo; ow < hi; ++ow) line[ow] += w * source[ow * g.stride_width];
                        }
                    }
                }
            }
        }
    }
}

FER_HOT void fer_depthwise_backward_input(const float *dy, const float *weight, float *dx,
                                          long channels, long multiplier, fer_window_geometry g,
                                          long plane_begin, long plane_end) {
    const long in_plane = g.in_height * g.in_width, out_plane = g.out_height * g.out_width;
    const long taps = g.kernel_height * g.kernel_width;
    for (long p = plane_begin; p < plane_end; ++p) {
        const long n = p / channels, c = p % channels;
        float *gradient = dx + p * in_plane;
        memset(gradient, 0, sizeof(float) * in_plane);
        for (long j = 0; j < multiplier; ++j) {
            const long o = c * multiplier + j;
            const float *upstream = dy + (n * channels * multiplier + o) * out_plane;
            for (long kh = 0; kh < g.kernel_height; ++kh) {
                for (long kw = 0; kw < g.kernel_width; ++kw) {
                    const float w = weight[o * taps + kh * g.kernel_width + kw];
                    const long column_offset = kw * g.dilation_width - g.pad_width;
                    long lo, hi;
                    fer_valid_range(column_offset, g.stride_width, g.in_width, g.out_width, &lo, &hi);
                    for (long oh = 0; oh < g.out_height; ++oh) {
                        const long ih = oh * g.stride_height - g.pad_height + kh * g.dilation_height;
                        if (ih < 0 || ih >= g.in_height) continue;
                        float *target = gradient + ih * g.in_width + column_offset;
                        const float *line = upstream + oh * g.out_width;
                        if (g.stride_width == 1) {
                            for (long ow = lo; ow < hi; ++ow) target[ow] += w * line[ow];
                        } else {
                            for (long ow = lo; ow < hi; ++ow) target[ow * g.stride_width] += w * line[ow];
                        }
                    }
                }
            }
        }
    }
}

FER_HOT void fer_depthwise_backward_weight(const float *dy, const float *x, float *dweight,
                                           long batch, long channels, long multiplier, fer_window_geometry g,
                                           long channel_begin, long channel_end) {
#pragma clang fp reassociate(on)
    const long in_plane = g.in_height * g.in_width, out_plane = g.out_height * g.out_width;
    const long taps = g.kernel_height * g.kernel_width;
    for (long c = channel_begin; c < channel_end; ++c) {
        for (long j = 0; j < multiplier; ++j) {
            const long o = c * multiplier + j;
            for (long kh = 0; kh < g.kernel_height; ++kh) {
                for (long kw = 0; kw < g.kernel_width; ++kw) {
                    const long column_offset = kw * g.dilation_width - g.pad_width;
                    long lo, hi;
                    fer_valid_range(column_offset, g.stride_width, g.in_width, g.out_width, &lo, &hi);
                    float total = 0.0f;
                    for (long n = 0; n < batch; ++n) {
                        const float *input = x + (n * channels + c) * in_plane;
                        const float *upstream = dy + (n * channels * multiplier + o) * out_plane;
                        for (long oh = 0; oh < g.out_height; ++oh) {
                            const long ih = oh * g.stride_height - g.pad_height + kh * g.dilation_height;
                            if (ih < 0 || ih >= g.in_height) continue;
                            const float *source = input + ih * g.in_width + column_offset;
                            const float *line = upstream + oh * g.out_width;
                            float partial = 0.0f;
                            for (long ow = lo; ow < hi; ++ow) partial += line[ow] * source[ow * g.stride_width];
                            total += partial;
                        }
                    }
                    dweight[o * taps + kh * g.kernel_width + kw] = total;
                }
            }
        }
    }
}
