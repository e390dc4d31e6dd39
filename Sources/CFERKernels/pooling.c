// Max, average and adaptive average pooling over NCHW planes.
#include <math.h>
#include <string.h>
#include "dispatch.h"
#include "fer_kernels.h"

FER_HOT void fer_max_pool_forward(const float *x, float *y, int32_t *argmax, fer_window_geometry g,
                                  long plane_begin, long plane_end) {
    const long in_plane = g.in_height * g.in_width, out_plane = g.out_height * g.out_width;
    for (long p = plane_begin; p < plane_end; ++p) {
        const float *input = x + p * in_plane;
        float *output = y + p * out_plane;
        int32_t *indices = argmax + p * out_plane;
        for (long oh = 0; oh < g.out_height; ++oh) {
            for (long ow = 0; ow < g.out_width; ++ow) {
                float best = -INFINITY;
                long best_index = -1;
                for (long kh = 0; kh < g.kernel_height; ++kh) {
                    const long ih = oh * g.stride_height - g.pad_height + kh * g.dilation_height;
                    if (ih < 0 || ih >= g.in_height) continue;
                    for (long kw = 0; kw < g.kernel_width; ++kw) {
                        const long iw = ow * g.stride_width - g.pad_width + kw * g.dilation_width;
                        if (iw < 0 || iw >= g.in_width) continue;
                        const float value = input[ih * g.in_width + iw];
                        if (value > best || isnan(value) || best_index < 0) {
                            best = value;
                            best_index = ih * g.in_width + iw;
                            if (isnan(value)) goto found;
                        }
                    }
                }
            found:
                output[oh * g.out_width + ow] = best;
                indices[oh * g.out_width + ow] = (int32_t)best_index;
            }
        }
    }
}

FER_HOT void fer_max_pool_backward(const float *dy, const int32_t *argmax, float *dx, fer_window_geometry g,
                                   long plane_begin, long plane_end) {
    const long in_plane = g.in_height * g.in_width, out_plane = g.out_height * g.out_width;
    for (long p = plane_begin; p < plane_end; ++p) {
        float *gradient = dx + p * in_plane;
        const float *upstream = dy + p * out_plane;
        const int32_t *indices = argmax + p * out_plane;
        memset(gradient, 0, sizeof(float) * in_plane);
        for (long i = 0; i < out_plane; ++i)
            if (indices[i] >= 0) gradient[indices[i]] += upstream[i];
    }
}

/* PyTorch's avg_pool2d window: bounds clipped to the padded input for the
   divisor when padding counts, and to the input for the sum. */
static inline void average_window(fer_window_geometry g, long oh, long ow, int count_include_pad,
                                  long *h0, long *h1, long *w0, long *w1, float *divisor) {
    long hs = oh * g.stride_height - g.pad_height, ws = ow * g.stride_width - g.pad_width;
    long he = fer_min(hs + g.kernel_height, g.in_height + g.pad_height);
    long we = fer_min(ws + g.kernel_width, g.in_width + g.pad_width);
    const long padded_size = (he - hs) * (we - ws);
    hs = fer_max(hs, 0);
    ws = fer_max(ws, 0);
    he = fer_min(he, g.in_height);
    we = fer_min(we, g.in_width);
    *h0 = hs; *h1 = he; *w0 = ws; *w1 = we;
    const long size = count_include_pad ? padded_size : (he - hs) * (we - ws);
    *divisor = size > 0 ? (float)size : 1.0f;
}

FER_HOT void fer_avg_pool_forward(const float *x, float *y, fer_window_geometry g, int count_include_pad,
                                  long plane_begin, long plane_end) {
    const long in_plane = g.in_height * g.in_width, out_plane = g.out_height * g.out_width;
    for (long p = plane_begin; p < plane_end; ++p) {
        const float *input = x + p * in_plane;
        float *output = y + p * out_plane;
        for (long oh = 0; oh < g.out_height; ++oh) {
            for (long ow = 0; ow < g.out_width; ++ow) {
                long h0, h1, w0, w1;
                float divisor;
                average_window(g, oh, ow, count_include_pad, &h0, &h1, &w0, &w1, &divisor);
                float sum = 0.0f;
                for (long ih = h0; ih < h1; ++ih)
                    for (long iw = w0; iw < w1; ++iw) sum += input[ih * g.in_width + iw];
                output[oh * g.out_width + ow] = sum / divisor;
            }
        }
    }
}

FER_HOT void fer_avg_pool_backward(const float *dy, float *dx, fer_window_geometry g, int count_include_pad,
                                   long plane_begin, long plane_end) {
    const long in_plane = g.in_height * g.in_width, out_plane = g.out_height * g.out_width;
    for (long p = plane_begin; p < plane_end; ++p) {
        float *gradient = dx + p * in_plane;
        const float *upstream = dy + p * out_plane;
        memset(gradient, 0, sizeof(float) * in_plane);
        for (long oh = 0; oh < g.out_height; ++oh) {
            for (long ow = 0; ow < g.out_width; ++ow) {
                long h0, h1, w0, w1;
                float divisor;
                average_window(g, oh, ow, count_include_pad, &h0, &h1, &w0, &w1, &divisor);
                const float share = upstream[oh * g.out_width + ow] / divisor;
                for (long ih = h0; ih < h1; ++ih)
                    for (long iw = w0; iw < w1; ++iw) gradient[ih * g.in_width + iw] += share;
            }
        }
    }
}

/* Bin i of `out` bins over `in` cells: [floor(i*in/out), ceil((i+1)*in/out)). */
static inline void adaptive_bin(long i, long in, long out, long *start, long *end) {
    *start = (i * in) / out;
    *end = ((i + 1) * in + out - 1) / out;
}

FER_HOT void fer_adaptive_avg_pool_forward(const float *x, float *y, long in_height, long in_width,
                                           long out_height, long out_width, long plane_begin, long plane_end) {
#pragma clang fp reassociate(on)
    const long in_plane = in_height * in_width, out_plane = out_height * out_width;
    for (long p = plane_begin; p < plane_end; ++p) {
        const float *input = x + p * in_plane;
        float *output = y + p * out_plane;
        for (long oh = 0; oh < out_height; ++oh) {
            long h0, h1;
            adaptive_bin(oh, in_height, out_height, &h0, &h1);
            for (long ow = 0; ow < out_width; ++ow) {
                long w0, w1;
                adaptive_bin(ow, in_width, out_width, &w0, &w1);
                float sum = 0.0f;
                for (long ih = h0; ih < h1; ++ih)
                    for (long iw = w0; iw < w1; ++iw) sum += input[ih * in_width + iw];
                output[oh * out_width + ow] = sum / (float)((h1 - h0) * (w1 - w0));
            }
        }
    }
}

FER_HOT void fer_adaptive_avg_pool_backward(const float *dy, float *dx, long in_height, long in_width,
                                            long out_height, long out_width, long plane_begin, long plane_end) {
    const long in_plane = in_height * in_width, out_plane = out_height * out_width;
    for (long p = plane_begin; p < plane_end; ++p) {
        float *gradient = dx + p * in_plane;
        const float *upstream = dy + p * out_plane;
        memset(gradient, 0, sizeof(float) * in_plane);
        for (long oh = 0; oh < out_height; ++oh) {
            long h0, h1;
            adaptive_bin(oh, in_height, out_height, &h0, &h1);
            for (long ow = 0; ow < out_width; ++ow) {
                long w0, w1;
                adaptive_bin(ow, in_width, out_width, &w0, &w1);
                const float share = upstream[oh * out_width + ow] / (float)((h1 - h0) * (w1 - w0));
                for (long ih = h0; ih < h1; ++ih)
                    for (long iw = w0; iw < w1; ++iw) gradient[ih * in_width + iw] += share;
            }
        }
    }
}
