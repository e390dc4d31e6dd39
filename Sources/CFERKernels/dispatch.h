#ifndef FER_DISPATCH_H
#define FER_DISPATCH_H
/* Run-time ISA dispatch: the compiler emits an AVX-512, an AVX2+FMA and a
   baseline version of a FER_HOT function and picks one when it is loaded. */
#if defined(__x86_64__) && defined(__clang__) && !defined(__APPLE__)
#define FER_HOT __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FER_HOT
#endif

/* Rows in lowering kernels are short (tens of floats): inline loops, which
   the compiler vectorises, instead of a memcpy/memset call per row.
   FER_INLINE_COPIES keeps clang from turning the loops back into library calls. */
#if defined(__clang__)
#define FER_INLINE_COPIES __attribute__((no_builtin("memcpy", "memset")))
#else
#define FER_INLINE_COPIES
#endif

static inline long fer_min(long a, long b) { return a < b ? a : b; }
static inline long fer_max(long a, long b) { return a > b ? a : b; }
static inline long fer_ceil_div(long a, long b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
static inline long fer_floor_div(long a, long b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* With stride 2, tap t of an axis reads input 2 * o + t * dilation - pad =
   2 * (o + q) + parity: element o + q of the axis's even (parity 0) or odd
   (1) positions. */
static inline void fer_stride2_tap(long t, long dilation, long pad, long *parity, long *q) {
    const long shift = t * dilation - pad;
    *parity = shift & 1; /* also for negative shifts (two's complement) */
    *q = (shift - *parity) / 2;
}

/* Output columns [*lo, *hi) whose input column o*stride + offset lies in [0, width). */
static inline void fer_valid_range(long offset, long stride, long width, long out, long *lo, long *hi) {
    long first = fer_ceil_div(-offset, stride);
    long last = fer_floor_div(width - 1 - offset, stride) + 1;
    *lo = fer_min(fer_max(first, 0), out);
    *hi = fer_max(fer_min(last, out), *lo);
}
#endif
