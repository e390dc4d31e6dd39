// Max, average and adaptive average pooling over NCHW planes.
#include <math.h>
#include <string.h>
#include "dispatch.h"
#include "fer_kernels.h"

/* One tap of a row of max-pooling windows: source[ow * stride] against the
   running maxima of outputs [lo, hi). Inlined with a constant stride, so that
   the loop vectorises. */
static inline __attribute__((always_inline)) void max_pool_tap(const float *restrict source, long stride, int32_t base,
                                                               long lo, long hi, float *restrict best,
                                                               int32_t *restrict index) {
    for (long ow = lo; ow < hi; ++ow) {
        const float value = source[ow * stride];
        const int take = value > best[ow] || value != value;
        best[ow] = take ? value : best[ow];
        index[ow] = take ? base + (int32_t)(ow * stride) : index[ow];
    }
}

/* Each output row is built tap by tap with the output column innermost, so
   the comparisons vectorise. As PyTorch: a window starts at -inf with the
   index of its first valid input, and an element replaces the running maximum
   when it is greater or NaN (so NaN propagates; the first of equal maxima
   wins). */
FER_HOT void fer_max_pool_forward(const float *x, float *y, int32_t *argmax, fer_window_geometry g,
                                  long plane_begin, long plane_end) {
    const long in_plane = g.in_height * g.in_width, out_plane = g.out_height * g.out_width;
    for (long p = plane_begin; p < plane_end; ++p) {
        const float *input = x + p * in_plane;
        for (long oh = 0; oh < g.out_height; ++oh) {
            float *restrict best = y + p * out_plane + oh * g.out_width;
            int32_t *restrict index = argmax + p * out_plane + oh * g.out_width;
            const long top = oh * g.stride_height - g.pad_height;
            const long first_kh = fer_max(0, fer_ceil_div(-top, g.dilation_height));
            const long first_ih = top + first_kh * g.dilation_height;
            const int rows_valid = first_kh < g.kernel_height && first_ih < g.in_height;
            for (long ow = 0; ow < g.out_width; ++ow) {
                const long left = ow * g.stride_width - g.pad_width;
                const long first_kw = fer_max(0, fer_ceil_div(-left, g.dilation_width));
                const long first_iw = left + first_kw * g.dilation_width;
                const int valid = rows_valid && first_kw < g.kernel_width && first_iw < g.in_width;
                best[ow] = -INFINITY;
                index[ow] = valid ? (int32_t)(first_ih * g.in_width + first_iw) : -1;
            }
            for (long kh = 0; kh < g.kernel_height; ++kh) {
                const long ih = top + kh * g.dilation_height;
                if (ih < 0 || ih >= g.in_height) continue;
                for (long kw = 0; kw < g.kernel_width; ++kw) {
                    const long offset = kw * g.dilation_width - g.pad_width;
                    const float *restrict source = input + ih * g.in_width + offset;
                    long lo, hi;
                    fer_valid_range(offset, g.stride_width, g.in_width, g.out_width, &lo, &hi);
                    const int32_t base = (int32_t)(ih * g.in_width + offset);
                    switch (g.stride_width) {
                    case 1: max_pool_tap(source, 1, base, lo, hi, best, index); break;
                    case 2: max_pool_tap(source, 2, base, lo, hi, best, index); break;
                    default: max_pool_tap(source, g.stride_width, base, lo, hi, best, index);
                    }
                }
            }
        }
    }
}

/* The greater of a running maximum and a value, or the value if it is NaN. */
static inline float max_keeping_nan(float best, float value) { return value > best || value != value ? value : best; }

FER_HOT void fer_max_pool_forward_values(const float *x, float *y, float *restrict row_max, fer_window_geometry g,
                                         long plane_begin, long plane_end) {
    const long in_plane = g.in_height * g.in_width, out_plane = g.out_height * g.out_width;
    for (long p = plane_begin; p < plane_end; ++p) {
        const float *input = x + p * in_plane;
        for (long oh = 0; oh < g.out_height; ++oh) {
            float *restrict best = y + p * out_plane + oh * g.out_width;
            const long top = oh * g.stride_height - g.pad_height;
            for (long iw = 0; iw < g.in_width; ++iw) row_max[iw] = -INFINITY;
            for (long kh = 0; kh < g.kernel_height; ++kh) {
                const long ih = top + kh * g.dilation_height;
                if (ih < 0 || ih >= g.in_height) continue;
                const float *restrict source = input + ih * g.in_width;
                for (long iw = 0; iw < g.in_width; ++iw) row_max[iw] = max_keeping_nan(row_max[iw], source[iw]);
            }
            for (long ow = 0; ow < g.out_width; ++ow) best[ow] = -INFINITY;
            for (long kw = 0; kw < g.kernel_width; ++kw) {
                const long offset = kw * g.dilation_width - g.pad_width;
                long lo, hi;
                fer_valid_range(offset, g.stride_width, g.in_width, g.out_width, &lo, &hi);
                const float *restrict source = row_max + offset;
                for (long ow = lo; ow < hi; ++ow) best[ow] = max_keeping_nan(best[ow], source[ow * g.stride_width]);
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
