// Per-image loops of data augmentation: byte-to-plane conversion, mirroring,
// rotation with bilinear sampling, desaturation.
#include <math.h>
#include <stdlib.h>
#include "dispatch.h"
#include "fer_kernels.h"

FER_HOT void fer_image_bytes_to_planes(const unsigned char *pixels, float *planes, long plane, long channels) {
    const float scale = 1.0f / 255.0f;
    if (channels == 1) {
        for (long i = 0; i < plane; ++i) planes[i] = (float)pixels[i] * scale;
        return;
    }
    for (long c = 0; c < channels; ++c) {
        float *out = planes + c * plane;
        const unsigned char *in = pixels + c;
        for (long i = 0; i < plane; ++i) out[i] = (float)in[i * channels] * scale;
    }
}

FER_HOT void fer_mirror_rows(const float *x, float *y, long rows, long width) {
    for (long r = 0; r < rows; ++r) {
        const float *in = x + r * width;
        float *out = y + r * width;
        for (long c = 0; c < width; ++c) out[c] = in[width - 1 - c];
    }
}

/* One source pixel, or the border's value outside the image. */
static inline float border_pixel(const float *plane, long height, long width, long px, long py, int replicate, float fill) {
    if (px >= 0 && px < width && py >= 0 && py < height) return plane[py * width + px];
    if (!replicate) return fill;
    px = fer_min(fer_max(px, 0), width - 1);
    py = fer_min(fer_max(py, 0), height - 1);
    return plane[py * width + px];
}

/* This thread's scratch for a rotation of `plane` pixels (source corners, offsets,
   border list, two weights), kept between calls: freeing it would hand the pages
   back to the system and fault them in again on every image. */
static int *rotation_scratch(long plane) {
    static __thread int *scratch = NULL;
    static __thread long capacity = 0;
    if (plane > capacity) {
        free(scratch);
        scratch = malloc((size_t)plane * 6 * sizeof(int));
        capacity = plane;
    }
    return scratch;
}

FER_HOT void fer_rotate_bilinear(const float *x, float *y, long channels, long height, long width,
                                 float cosine, float sine, int replicate, float fill) {
    const float center_x = (float)(width - 1) / 2, center_y = (float)(height - 1) / 2;
    const long plane = height * width;
    int *corner_x = rotation_scratch(plane), *corner_y = corner_x + plane;
    int *offset = corner_y + plane, *border = offset + plane;
    float *weight_x = (float *)(border + plane), *weight_y = weight_x + plane;
    /* Pass 1, once for all channels (vectorised): each output pixel's top-left
       source corner and weights, from the inverse rotation of its position. */
    for (long row = 0; row < height; ++row) {
        const float dy = (float)row - center_y;
        for (long column = 0; column < width; ++column) {
            const long i = row * width + column;
            const float dx = (float)column - center_x;
            const float sx = center_x + cosine * dx - sine * dy;
            const float sy = center_y + sine * dx + cosine * dy;
            const float fx0 = floorf(sx), fy0 = floorf(sy);
            corner_x[i] = (int)fx0;
            corner_y[i] = (int)fy0;
            weight_x[i] = sx - fx0;
            weight_y[i] = sy - fy0;
        }
    }
    /* Pixels whose four corners lie inside get an offset; the others are listed. */
    long border_count = 0;
    for (long i = 0; i < plane; ++i) {
        const int x0 = corner_x[i], y0 = corner_y[i];
        if (x0 >= 0 && x0 + 1 < width && y0 >= 0 && y0 + 1 < height) {
            offset[i] = y0 * (int)width + x0;
        } else {
            offset[i] = 0;
            border[border_count++] = (int)i;
        }
    }
    for (long c = 0; c < channels; ++c) {
        const float *source = x + c * plane;
        float *out = y + c * plane;
        /* Pass 2: every pixel as if inside (vectorised); pass 3 redoes the border pixels. */
        for (long i = 0; i < plane; ++i) {
            const float *corner = source + offset[i];
            const float fx = weight_x[i], fy = weight_y[i];
            const float top = corner[0] * (1 - fx) + corner[1] * fx;
            const float bottom = corner[width] * (1 - fx) + corner[width + 1] * fx;
            out[i] = top * (1 - fy) + bottom * fy;
        }
        for (long k = 0; k < border_count; ++k) {
            const long i = border[k], x0 = corner_x[i], y0 = corner_y[i];
            const float fx = weight_x[i], fy = weight_y[i];
            const float top = border_pixel(source, height, width, x0, y0, replicate, fill) * (1 - fx)
                + border_pixel(source, height, width, x0 + 1, y0, replicate, fill) * fx;
            const float bottom = border_pixel(source, height, width, x0, y0 + 1, replicate, fill) * (1 - fx)
                + border_pixel(source, height, width, x0 + 1, y0 + 1, replicate, fill) * fx;
            out[i] = top * (1 - fy) + bottom * fy;
        }
    }
}

FER_HOT void fer_desaturate(float *planes, long plane, float amount) {
    float *red = planes, *green = planes + plane, *blue = planes + 2 * plane;
    for (long i = 0; i < plane; ++i) {
        const float gray = 0.299f * red[i] + 0.587f * green[i] + 0.114f * blue[i];
        red[i] += amount * (gray - red[i]);
        green[i] += amount * (gray - green[i]);
        blue[i] += amount * (gray - blue[i]);
    }
}
