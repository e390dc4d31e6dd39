import FERTensor
import Foundation

/// Placeholder replaced below.
struct KernelBenchmark {
    var json: Bool
    func run() throws {}
}
