#ifndef FER_BLAS_RUNTIME_H
#define FER_BLAS_RUNTIME_H

/// Outcome of the start-up check of OpenBLAS's kernel choice.
typedef struct {
    /// Kernel OpenBLAS chose on its own when the library was loaded.
    const char *detected_core;
    /// Kernel in use now (after any correction).
    const char *active_core;
    /// 1 when FERKit re-ran OpenBLAS's kernel selection with a better core type.
    int corrected;
    /// Value of OPENBLAS_CORETYPE when the process started, or NULL.
    const char *environment_core;
    /// 1 when FERKIT_KEEP_OPENBLAS_CORETYPE asked to keep OPENBLAS_CORETYPE as it is.
    int kept_environment_core;
} fer_blas_kernel_report;

/// Checks (once; later calls return the first answer) that OpenBLAS uses the
/// best kernel this CPU supports, re-running its selection when it fell back
/// to an older one (also when OPENBLAS_CORETYPE named an older one, unless
/// FERKIT_KEEP_OPENBLAS_CORETYPE=1), and pins OpenBLAS to one thread: FERKit
/// parallelises on its own, one level at a time. Runs when the library loads.
fer_blas_kernel_report fer_blas_ensure_configured(void);

/// CPU features that decide kernel choice.
int fer_cpu_has_avx512(void);   /* AVX-512F and AVX-512VL */
int fer_cpu_has_avx2_fma(void); /* AVX2 and FMA */
/// Bytes of one core's L2 cache as the C library reports it, or 1 MiB when
/// it reports nothing (some virtual machines).
long fer_cpu_l2_cache_bytes(void);

#endif
