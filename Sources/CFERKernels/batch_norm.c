// Batch normalisation: per-channel statistics, affine application, backward.
#include "dispatch.h"
#include "fer_kernels.h"

/* Planes are often small (7x7, 4x4 in the last ResNet stages): one 16-lane
   vector per step, not several interleaved ones, so that such planes still
   run vectorised rather than in the scalar remainder. */
#if defined(__clang__)
#define FER_PLANE_LOOP _Pragma("clang loop vectorize_width(16) interleave_count(1)")
#else
#define FER_PLANE_LOOP
#endif

/* Sum of n floats in double precision with several accumulators. */
static inline double sum_plane(const float *x, long n) {
#pragma clang fp reassociate(on)
    double total = 0.0;
    FER_PLANE_LOOP
    for (long i = 0; i < n; ++i) total += x[i];
    return total;
}

FER_HOT void fer_batch_norm_statistics(const float *x, long batch, long channels, long spatial,
                                       float *mean, float *variance, long channel_begin, long channel_end) {
#pragma clang fp reassociate(on)
    const double count = (double)(batch * spatial);
    for (long c = channel_begin; c < channel_end; ++c) {
        double total = 0.0;
        for (long n = 0; n < batch; ++n) total += sum_plane(x + (n * channels + c) * spatial, spatial);
        const double mu = total / count;
        const float muf = (float)mu;
        double squares = 0.0;
        for (long n = 0; n < batch; ++n) {
            const float *plane = x + (n * channels + c) * spatial;
            float partial = 0.0f;
            FER_PLANE_LOOP
            for (long i = 0; i < spatial; ++i) {
                const float d = plane[i] - muf;
                partial += d * d;
            }
            squares += partial;
        }
        mean[c] = muf;
        variance[c] = (float)(squares / count);
    }
}

FER_HOT void fer_channel_affine(const float *x, const float *scale, const float *shift, const float *residual,
                                float *y, long channels, long spatial, int relu, long plane_begin, long plane_end) {
    for (long p = plane_begin; p < plane_end; ++p) {
        const long c = p % channels;
        const float a = scale[c], b = shift[c];
        const float *input = x + p * spatial;
        float *output = y + p * spatial;
        if (residual) {
            const float *added = residual + p * spatial;
            if (relu) {
                FER_PLANE_LOOP
                for (long i = 0; i < spatial; ++i) {
                    const float v = input[i] * a + b + added[i];
                    output[i] = v < 0.0f ? 0.0f : v;  /* NaN passes, as in PyTorch */
                }
            } else {
                FER_PLANE_LOOP
                for (long i = 0; i < spatial; ++i) output[i] = input[i] * a + b + added[i];
            }
        } else if (relu) {
            FER_PLANE_LOOP
            for (long i = 0; i < spatial; ++i) {
                const float v = input[i] * a + b;
                output[i] = v < 0.0f ? 0.0f : v;  /* NaN passes, as in PyTorch */
            }
        } else {
            FER_PLANE_LOOP
            for (long i = 0; i < spatial; ++i) output[i] = input[i] * a + b;
        }
    }
}

FER_HOT void fer_batch_norm_backward_reduce(const float *dy, const float *relu_output, const float *x, const float *mean,
                                            const float *invstd, long batch, long channels, long spatial,
                                            float *sum_dy, float *sum_dy_xhat, long channel_begin, long channel_end) {
#pragma clang fp reassociate(on)
    for (long c = channel_begin; c < channel_end; ++c) {
        const float mu = mean[c];
        double total = 0.0, weighted = 0.0;
        for (long n = 0; n < batch; ++n) {
            const long offset = (n * channels + c) * spatial;
            const float *upstream = dy + offset, *input = x + offset;
            float partial = 0.0f, partial_weighted = 0.0f;
            /* Two loops rather than a test per element: a vectorised test
               would issue masked loads from a NULL mask, which some CPUs
               handle in slow microcode even with every lane masked off. */
            if (relu_output) {
                const float *mask = relu_output + offset;
                FER_PLANE_LOOP
                for (long i = 0; i < spatial; ++i) {
                    const float g = mask[i] > 0.0f ? upstream[i] : 0.0f;
                    partial += g;
                    partial_weighted += g * (input[i] - mu);
                }
            } else {
                FER_PLANE_LOOP
                for (long i = 0; i < spatial; ++i) {
                    partial += upstream[i];
                    partial_weighted += upstream[i] * (input[i] - mu);
                }
            }
            total += partial;
            weighted += partial_weighted;
        }
        sum_dy[c] = (float)total;
        sum_dy_xhat[c] = (float)(weighted * invstd[c]);
    }
}

FER_HOT void fer_batch_norm_backward_input(const float *dy, const float *relu_output, const float *x,
                                           const float *mean, const float *invstd,
                                           const float *gamma, const float *sum_dy, const float *sum_dy_xhat,
                                           long batch, long channels, long spatial, float *dx,
                                           long plane_begin, long plane_end) {
    const float inverse_count = 1.0f / (float)(batch * spatial);
    for (long p = plane_begin; p < plane_end; ++p) {
        const long c = p % channels;
        const float k = (gamma ? gamma[c] : 1.0f) * invstd[c];
        const float mean_dy = sum_dy[c] * inverse_count;
        const float slope = sum_dy_xhat[c] * inverse_count * invstd[c];
        const float mu = mean[c];
        const float *upstream = dy + p * spatial, *input = x + p * spatial;
        float *gradient = dx + p * spatial;
        if (relu_output) {
            const float *mask = relu_output + p * spatial;
            FER_PLANE_LOOP
            for (long i = 0; i < spatial; ++i)
                gradient[i] = k * ((mask[i] > 0.0f ? upstream[i] : 0.0f) - mean_dy - (input[i] - mu) * slope);
        } else {
            FER_PLANE_LOOP
            for (long i = 0; i < spatial; ++i)
                gradient[i] = k * (upstream[i] - mean_dy - (input[i] - mu) * slope);
        }
    }
}

FER_HOT void fer_add_relu(const float *a, const float *b, float *y, long begin, long end) {
    for (long i = begin; i < end; ++i) {
        const float v = a[i] + b[i];
        y[i] = v < 0.0f ? 0.0f : v;  /* NaN passes */
    }
}
