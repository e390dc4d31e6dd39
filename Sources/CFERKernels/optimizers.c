// Element-wise optimizer updates, vectorised and split across workers by the caller.
#include <math.h>
#include "dispatch.h"
#include "fer_kernels.h"

/* Square root without errno (v >= 0 here), so that the loops vectorise. */
#if defined(__clang__)
#define fer_sqrt(x) __builtin_elementwise_sqrt(x)
#else
#define fer_sqrt(x) __builtin_sqrtf(x)
#endif

/* torch.lerp: start + weight * (end - start), exact at both ends. */
static inline float lerp(float start, float end, float weight) {
    return weight < 0.5f ? start + weight * (end - start) : end - (end - start) * (1.0f - weight);
}

FER_HOT void fer_adam_update(float *restrict value, const float *restrict gradient, float *restrict first_moment,
                             float *restrict second_moment, float *restrict max_second_moment, fer_adam_coefficients c,
                             long begin, long end) {
    const float weight = 1.0f - c.beta1, keep = c.beta2, blend = 1.0f - c.beta2;
    if (c.coupled_decay == 0.0f && c.shrink == 1.0f && !max_second_moment) {
        /* The common case, without branches in the loop. */
        for (long i = begin; i < end; ++i) {
            const float g = gradient[i];
            const float m = lerp(first_moment[i], g, weight);
            const float v = keep * second_moment[i] + blend * g * g;
            first_moment[i] = m;
            second_moment[i] = v;
            value[i] -= c.step_size * (m / (fer_sqrt(v) / c.second_moment_correction + c.epsilon));
        }
        return;
    }
    for (long i = begin; i < end; ++i) {
        const float g = c.coupled_decay != 0.0f ? gradient[i] + c.coupled_decay * value[i] : gradient[i];
        const float m = lerp(first_moment[i], g, weight);
        const float v = keep * second_moment[i] + blend * g * g;
        first_moment[i] = m;
        second_moment[i] = v;
        float denominator_moment = v;
        if (max_second_moment) {
            denominator_moment = fmaxf(max_second_moment[i], v);
            max_second_moment[i] = denominator_moment;
        }
        const float shrunk = value[i] * c.shrink;
        value[i] = shrunk - c.step_size * (m / (fer_sqrt(denominator_moment) / c.second_moment_correction + c.epsilon));
    }
}
