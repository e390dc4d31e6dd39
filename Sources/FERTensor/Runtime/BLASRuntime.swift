import CFERKernels
import COpenBLAS

/// Which OpenBLAS kernel FERKit uses, and how it got there.
///
/// Debian's OpenBLAS 0.3.21 does not recognise recent CPUs and silently
/// falls back to older kernels at a fraction of the speed. FERKit checks this
/// when it loads and re-runs OpenBLAS's selection with the right core type
/// (SkylakeX for AVX-512F+VL, Haswell for AVX2+FMA). An `OPENBLAS_CORETYPE`
/// naming an older kernel than the CPU supports is replaced too, unless
/// `FERKIT_KEEP_OPENBLAS_CORETYPE=1` asks to keep it. OpenBLAS is pinned to
/// one thread: parallelism comes from `Parallel`.
public struct BLASKernelReport: Sendable, Equatable {
    /// Kernel OpenBLAS picked on its own (e.g. "Prescott", "Haswell").
    public var detectedCore: String
    /// Kernel in use now.
    public var activeCore: String
    /// Whether FERKit re-ran OpenBLAS's kernel selection.
    public var corrected: Bool
    /// `OPENBLAS_CORETYPE` as found in the environment at start-up, if set.
    public var environmentCore: String?
    /// Whether `FERKIT_KEEP_OPENBLAS_CORETYPE` kept that setting unchanged.
    public var keptEnvironmentCore: Bool
}

/// Start-up state of the BLAS library.
public enum BLASRuntime {
    /// The kernel report; computing it first ensures OpenBLAS is configured.
    public static let report: BLASKernelReport = {
        let raw = fer_blas_ensure_configured()
        return BLASKernelReport(
            detectedCore: String(cString: raw.detected_core),
            activeCore: String(cString: raw.active_core),
            corrected: raw.corrected != 0,
            environmentCore: raw.environment_core.map { String(cString: $0) },
            keptEnvironmentCore: raw.kept_environment_core != 0)
    }()

    /// OpenBLAS's build configuration string (version, options).
    public static var configuration: String {
        String(cString: openblas_get_config())
    }

    /// Threads OpenBLAS itself uses (1 unless changed by the user).
    public static var threadCount: Int {
        Int(openblas_get_num_threads())
    }

    /// Whether the CPU has AVX-512F and AVX-512VL.
    public static var cpuHasAVX512: Bool { fer_cpu_has_avx512() != 0 }

    /// Whether the CPU has AVX2 and FMA.
    public static var cpuHasAVX2FMA: Bool { fer_cpu_has_avx2_fma() != 0 }

    /// Bytes of one core's L2 cache (1 MiB when the system does not say).
    public static let l2CacheBytes: Int = fer_cpu_l2_cache_bytes()
}
