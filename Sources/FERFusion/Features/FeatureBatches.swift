import FERNN
import FERTensor

/// One batch of cached features: what a fusion head reads and the labels.
public struct FeatureBatch {
    /// Both backbones' features and logits for the batch's rows.
    public var input: FusionInput
    /// Label of each row.
    public var labels: [Int]
}

extension FeatureCache {
    /// The cache's rows in batches of `size` (the last may be smaller):
    /// in row order, or with `shuffledWithSeed`, in an order fixed by the
    /// seed and `epoch` (each epoch its own permutation, the same on every run).
    public func batches(size: Int, shuffledWithSeed seed: UInt64? = nil, epoch: Int = 0) -> BatchSequence<FeatureBatch> {
        precondition(size > 0, "FeatureCache.batches: batch size must be positive, got \(size)")
        var order = Array(0..<count)
        if let seed {
            var generator = RandomGenerator(seed: seed &+ UInt64(epoch) &* 0xD1B5_4A32_D192_ED03)
            order.shuffle(using: &generator)
        }
        let starts = Array(stride(from: 0, to: count, by: size))
        return BatchSequence(starts.lazy.map { start in
            let rows = Array(order[start..<Swift.min(start + size, order.count)])
            return FeatureBatch(input: self.input(rows: rows), labels: rows.map { self.labels[$0] })
        })
    }
}
