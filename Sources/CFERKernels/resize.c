// Nearest and bilinear resizing of NCHW planes, as torch.nn.functional.interpolate.
#include <stdlib.h>
#include <string.h>
#include "dispatch.h"
#include "fer_kernels.h"

/* PyTorch's nearest source index: floor(dst * in / out), clamped. */
static inline long nearest_source(long dst, long in, long out) {
    return fer_min((long)((double)dst * (double)in / (double)out), in - 1);
}

FER_HOT void fer_resize_nearest_forward(const float *x, float *y, long in_height, long in_width,
                                        long out_height, long out_width, long plane_begin, long plane_end) {
    long *columns = malloc(sizeof(long) * out_width);
    for (long ow = 0; ow < out_width; ++ow) columns[ow] = nearest_source(ow, in_width, out_width);
    for (long p = plane_begin; p < plane_end; ++p) {
        const float *input = x + p * in_height * in_width;
        float *output = y + p * out_height * out_width;
        for (long oh = 0; oh < out_height; ++oh) {
            const float *row = input + nearest_source(oh, in_height, out_height) * in_width;
            float *line = output + oh * out_width;
            for (long ow = 0; ow < out_width; ++ow) line[ow] = row[columns[ow]];
        }
    }
    free(columns);
}

FER_HOT void fer_resize_nearest_backward(const float *dy, float *dx, long in_height, long in_width,
                                         long out_height, long out_width, long plane_begin, long plane_end) {
    long *columns = malloc(sizeof(long) * out_width);
    for (long ow = 0; ow < out_width; ++ow) columns[ow] = nearest_source(ow, in_width, out_width);
    for (long p = plane_begin; p < plane_end; ++p) {
        float *gradient = dx + p * in_height * in_width;
        const float *upstream = dy + p * out_height * out_width;
        memset(gradient, 0, sizeof(float) * in_height * in_width);
        for (long oh = 0; oh < out_height; ++oh) {
            float *row = gradient + nearest_source(oh, in_height, out_height) * in_width;
            const float *line = upstream + oh * out_width;
            for (long ow = 0; ow < out_width; ++ow) row[columns[ow]] += line[ow];
        }
    }
    free(columns);
}

/* Source cells and weights of bilinear interpolation along one axis
   (PyTorch's area_pixel_compute_source_index). */
typedef struct {
    long low, high;
    float low_weight, high_weight;
} bilinear_tap;

static bilinear_tap *bilinear_taps(long in, long out, int align_corners) {
    bilinear_tap *taps = malloc(sizeof(bilinear_tap) * out);
    const double scale = align_corners ? (out > 1 ? (double)(in - 1) / (double)(out - 1) : 0.0)
                                       : (double)in / (double)out;
    for (long i = 0; i < out; ++i) {
        double source = align_corners ? scale * (double)i : scale * ((double)i + 0.5) - 0.5;
        if (source < 0) source = 0;
        long low = (long)source;
        if (low > in - 1) low = in - 1;
        const long high = low < in - 1 ? low + 1 : low;
        const float fraction = (float)(source - (double)low);
        taps[i] = (bilinear_tap){low, high, 1.0f - fraction, fraction};
    }
    return taps;
}

FER_HOT void fer_resize_bilinear_forward(const float *x, float *y, long in_height, long in_width,
                                         long out_height, long out_width, int align_corners,
                                         long plane_begin, long plane_end) {
    bilinear_tap *rows = bilinear_taps(in_height, out_height, align_corners);
    bilinear_tap *columns = bilinear_taps(in_width, out_width, align_corners);
    for (long p = plane_begin; p < plane_end; ++p) {
        const float *input = x + p * in_height * in_width;
        float *output = y + p * out_height * out_width;
        for (long oh = 0; oh < out_height; ++oh) {
            const bilinear_tap r = rows[oh];
            const float *top = input + r.low * in_width, *bottom = input + r.high * in_width;
            float *line = output + oh * out_width;
            for (long ow = 0; ow < out_width; ++ow) {
                const bilinear_tap c = columns[ow];
                line[ow] = r.low_weight * (c.low_weight * top[c.low] + c.high_weight * top[c.high]) +
                           r.high_weight * (c.low_weight * bottom[c.low] + c.high_weight * bottom[c.high]);
            }
        }
    }
    free(rows);
    free(columns);
}

FER_HOT void fer_resize_bilinear_backward(const float *dy, float *dx, long in_height, long in_width,
                                          long out_height, long out_width, int align_corners,
                                          long plane_begin, long plane_end) {
    bilinear_tap *rows = bilinear_taps(in_height, out_height, align_corners);
    bilinear_tap *columns = bilinear_taps(in_width, out_width, align_corners);
    for (long p = plane_begin; p < plane_end; ++p) {
        float *gradient = dx + p * in_height * in_width;
        const float *upstream = dy + p * out_height * out_width;
        memset(gradient, 0, sizeof(float) * in_height * in_width);
        for (long oh = 0; oh < out_height; ++oh) {
            const bilinear_tap r = rows[oh];
            float *top = gradient + r.low * in_width, *bottom = gradient + r.high * in_width;
            const float *line = upstream + oh * out_width;
            for (long ow = 0; ow < out_width; ++ow) {
                const bilinear_tap c = columns[ow];
                const float g = line[ow];
                top[c.low] += r.low_weight * c.low_weight * g;
                top[c.high] += r.low_weight * c.high_weight * g;
                bottom[c.low] += r.high_weight * c.low_weight * g;
                bottom[c.high] += r.high_weight * c.high_weight * g;
            }
        }
    }
    free(rows);
    free(columns);
}
