@testable import FERTensor

/// Multi-index helpers for obviously-correct reference implementations:
/// slow, element-by-element, and free of the kernels' layout tricks.
enum Naive {
    /// Every multi-index of `shape`, in row-major order (one empty index for rank 0).
    static func indices(of shape: [Int]) -> [[Int]] {
        var result: [[Int]] = [[]]
        for extent in shape {
            result = result.flatMap { prefix in (0..<extent).map { prefix + [$0] } }
        }
        return result
    }

    /// Row-major position of `index` in `shape`.
    static func flatIndex(_ index: [Int], in shape: [Int]) -> Int {
        zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
    }

    /// The element of `tensor` at `index`.
    static func value(_ tensor: Tensor, at index: [Int]) -> Float {
        tensor.withUnsafeBufferPointer { $0[flatIndex(index, in: tensor.shape)] }
    }

    /// A tensor of `shape` whose element at each multi-index is `value(index)`.
    static func tensor(_ shape: [Int], _ value: ([Int]) -> Float) -> Tensor {
        Tensor(shape: shape, scalars: indices(of: shape).map(value))
    }

    /// The element of `tensor` that broadcasting reads at output `index`:
    /// trailing axes aligned, extent-1 axes read position 0.
    static func broadcastValue(_ tensor: Tensor, at index: [Int]) -> Float {
        let lead = index.count - tensor.rank
        let source = tensor.shape.indices.map { tensor.shape[$0] == 1 ? 0 : index[lead + $0] }
        return value(tensor, at: source)
    }

    /// The shape two shapes broadcast to, computed axis by axis from the right.
    static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = max(a.count, b.count)
        let paddedA = [Int](repeating: 1, count: rank - a.count) + a
        let paddedB = [Int](repeating: 1, count: rank - b.count) + b
        return zip(paddedA, paddedB).map { $0 == 1 ? $1 : $0 }
    }

    /// Every subset of `0..<rank`.
    static func axisSubsets(rank: Int) -> [[Int]] {
        (0..<(1 << rank)).map { mask in (0..<rank).filter { mask & (1 << $0) != 0 } }
    }
}

/// Integer-valued random tensors, for tests that need ties or exact comparisons.
func randomIntegerTensor(_ shape: [Int], seed: UInt64, range: ClosedRange<Int> = -3...3) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    let width = Float(range.count)
    let values = (0..<Tensor.elementCount(of: shape)).map { _ in
        Float(range.lowerBound) + (generator.nextUniform() * width).rounded(.down)
    }
    return Tensor(shape: shape, scalars: values.map { Swift.min($0, Float(range.upperBound)) })
}
