import ArgumentParser
import FERData
import FERTensor
import Foundation

/// `fer info`: library version, BLAS kernel, threads and CPU features.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the library version, the BLAS kernel in use, thread counts and CPU features.")

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        let blas = BLASRuntime.report
        let fields: [(String, String)] = [
            ("ferkit_version", FERKitVersion.string),
            ("blas_library", "OpenBLAS"),
            ("blas_config", BLASRuntime.configuration.trimmingCharacters(in: .whitespaces)),
            ("blas_kernel", blas.activeCore),
            ("blas_kernel_detected_by_openblas", blas.detectedCore),
            ("blas_kernel_corrected", blas.corrected ? "yes" : "no"),
            ("openblas_coretype_env", blas.environmentCore.map {
                blas.keptEnvironmentCore ? "\($0) (kept: FERKIT_KEEP_OPENBLAS_CORETYPE)" : $0
            } ?? "unset"),
            ("convolution_gemm", GEMM.hasPackedKernel ? "FERKit packed \(GEMM.packedKernelName)" : "OpenBLAS"),
            ("blas_threads", "\(BLASRuntime.threadCount)"),
            ("ferkit_threads", "\(Parallel.threadCount)"),
            ("cpu_cores", "\(ProcessInfo.processInfo.activeProcessorCount)"),
            ("cpu_avx512", BLASRuntime.cpuHasAVX512 ? "yes" : "no"),
            ("cpu_avx2_fma", BLASRuntime.cpuHasAVX2FMA ? "yes" : "no"),
            ("cpu_l2_cache_kb", "\(BLASRuntime.l2CacheBytes / 1024)"),
            ("libjpeg_api", "\(ImageLibraries.jpegAPIVersion)"),
            ("libpng", ImageLibraries.pngVersion),
        ]
        if json {
            let object = Dictionary(uniqueKeysWithValues: fields)
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            let width = fields.map(\.0.count).max() ?? 0
            for (key, value) in fields {
                print(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
            }
        }
    }
}
