import Testing
@testable import FERTensor

/// Tolerances shared by all tensor tests.
enum Tolerance {
    /// Float32 results of the same formula computed in a different order.
    static let reordered: Float = 1e-5
    /// Results of long sums (GEMM, convolution) against a naive reference:
    /// relative to the magnitude of the reference.
    static let accumulated: Float = 1e-4
}

/// Asserts equal shapes and `|a - b| <= absolute + relative * |b|` elementwise,
/// naming the first offending index.
func expectClose(
    _ actual: Tensor, _ expected: Tensor,
    absolute: Float = Tolerance.reordered, relative: Float = Tolerance.reordered,
    _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.shape == expected.shape, comment, sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    let a = actual.scalars, b = expected.scalars
    for index in a.indices {
        let allowed = absolute + relative * Swift.abs(b[index])
        let same = a[index] == b[index] || (a[index].isNaN && b[index].isNaN)
        if !same && !(Swift.abs(a[index] - b[index]) <= allowed) {
            Issue.record(
                "element \(index): \(a[index]) vs expected \(b[index]) (allowed \(allowed)) \(comment.map { "— \($0)" } ?? "")",
                sourceLocation: sourceLocation)
            return
        }
    }
}

/// A tensor of standard-normal samples fixed by `seed`.
func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    return Tensor.randomNormal(shape, using: &generator)
}
