import Foundation
import FERTensor

/// One batch: images `[batch, channels, height, width]` with their labels.
public struct Batch {
    /// The transformed images, stacked.
    public var images: Tensor
    /// Class indices, one per image.
    public var labels: [Int]
    /// `[batch, classes]` label distributions when every sample has one, else nil.
    public var softLabels: Tensor?
    /// Sample identifiers, one per image.
    public var ids: [String]
}

/// The order in which an epoch visits the samples.
public enum SamplingOrder: Sendable, Equatable {
    /// The dataset's order (evaluation).
    case sequential
    /// A seeded permutation per epoch.
    case shuffled
    /// As many draws as samples, with replacement, each class equally likely
    /// (weights 1 / class count), seeded per epoch.
    case classBalanced
}

/// Batches of decoded, transformed images, prepared by background workers
/// ahead of the training loop.
///
/// Output is deterministic for a given seed: the epoch's order comes from
/// (seed, epoch) and each sample's augmentation from (seed, epoch, position),
/// never from which worker thread got there first.
public struct DataLoader: Sendable {
    /// The samples.
    public var dataset: FERDataset
    /// Applied to each image (as a `[channels, height, width]` tensor in [0, 1]).
    public var transform: any ImageTransform
    /// Images per batch.
    public var batchSize: Int
    /// Visiting order.
    public var order: SamplingOrder
    /// Drops a last batch smaller than `batchSize`.
    public var dropLast: Bool
    /// Seed of the order and the augmentations.
    public var seed: UInt64
    /// Every image is converted to this many channels (1 or 3) before the transform.
    public var channels: Int
    /// Threads preparing samples.
    public var workers: Int
    /// Batches prepared ahead of the consumer.
    public var prefetch: Int
    /// Decoder pixel limit.
    public var maxPixels: Int

    /// A loader over `dataset`.
    public init(dataset: FERDataset, transform: any ImageTransform, batchSize: Int, order: SamplingOrder = .shuffled,
                dropLast: Bool = false, seed: UInt64 = 0, channels: Int = 3, workers: Int = Parallel.threadCount,
                prefetch: Int = 2, maxPixels: Int = Image.defaultPixelLimit) {
        precondition(batchSize > 0 && workers > 0 && prefetch > 0, "DataLoader: batchSize, workers and prefetch must be positive")
        precondition(channels == 1 || channels == 3, "DataLoader: channels must be 1 or 3, got \(channels)")
        self.dataset = dataset
        self.transform = transform
        self.batchSize = batchSize
        self.order = order
        self.dropLast = dropLast
        self.seed = seed
        self.channels = channels
        self.workers = workers
        self.prefetch = prefetch
        self.maxPixels = maxPixels
    }

    /// Batches per epoch.
    public var batchCount: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// Sample indices of `epoch`, in visiting order.
    public func sampleOrder(epoch: Int) -> [Int] {
        var generator = RandomGenerator(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(epoch + 1))
        switch order {
        case .sequential:
            return Array(dataset.samples.indices)
        case .shuffled:
            return Array(dataset.samples.indices).shuffled(using: &generator)
        case .classBalanced:
            let counts = dataset.classCounts
            let weights = dataset.samples.map { Double(1) / Double(counts[$0.label]) }
            var cumulative: [Double] = []
            var total = 0.0
            for weight in weights { total += weight; cumulative.append(total) }
            return (0..<dataset.count).map { _ in
                let target = Double(generator.next() >> 11) / Double(1 << 53) * total
                return min(cumulative.partitionIndex { $0 > target }, dataset.count - 1)
            }
        }
    }

    /// The batches of `epoch`, prepared in the background as the caller consumes them.
    public func batches(epoch: Int) -> BatchIterator {
        BatchIterator(loader: self, epoch: epoch)
    }

    /// The transformed image of the sample at `position` of the epoch's order.
    func prepare(_ sample: Sample, epoch: Int, position: Int) throws -> Tensor {
        var generator = RandomGenerator(seed: seed ^ (UInt64(epoch) << 40) ^ UInt64(position) &* 0xD1B5_4A32_D192_ED03)
        let image = try sample.image(maxPixels: maxPixels).converted(toChannels: channels)
        return transform.apply(image.tensor(), using: &generator)
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate
    /// that is false then true along the array (binary search).
    func partitionIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
