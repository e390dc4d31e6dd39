import Foundation
import FERTensor

/// The batches of one epoch, in order. A background thread prepares up to
/// `prefetch` batches ahead, each with `workers` threads; a sample that fails
/// to load surfaces as an error from `next()` at its batch. Dropping the
/// iterator stops the thread.
public final class BatchIterator {
    private let pipeline: Pipeline
    private let started = DispatchTime.now().uptimeNanoseconds
    private var consumedImages = 0

    init(loader: DataLoader, epoch: Int) {
        pipeline = Pipeline(loader: loader, epoch: epoch, memoryBudget: MemoryBudget.bytes)
        let thread = Thread { [pipeline] in pipeline.produce() }
        thread.name = "FERData loader"
        thread.start()
    }

    deinit { pipeline.cancel() }

    /// Batches in this epoch.
    public var count: Int { pipeline.loader.batchCount }

    /// Images handed out per second since the epoch started.
    public var imagesPerSecond: Double {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return Double(consumedImages) / max(seconds, 1e-9)
    }

    /// The next batch, nil after the last; throws the error of a sample that could not be prepared.
    public func next() throws -> Batch? {
        guard let result = pipeline.take() else { return nil }
        let batch = try result.get()
        consumedImages += batch.labels.count
        return batch
    }
}

/// The producer side: batches prepared in order, handed over through a lock.
private final class Pipeline: @unchecked Sendable {
    let loader: DataLoader
    private let epoch: Int
    private let order: [Int]
    private let condition = NSCondition()
    private var ready: [Int: Result<Batch, Error>] = [:]
    private var nextToConsume = 0
    private var cancelled = false
    /// Bytes the batches in flight may take (`MemoryBudget` when the epoch began).
    private let memoryBudget: Int

    init(loader: DataLoader, epoch: Int, memoryBudget: Int) {
        self.loader = loader
        self.epoch = epoch
        self.memoryBudget = memoryBudget
        order = loader.sampleOrder(epoch: epoch)
    }

    func cancel() {
        condition.withLock {
            cancelled = true
            condition.broadcast()
        }
    }

    /// The next batch's result, waiting for it; nil after the last.
    func take() -> Result<Batch, Error>? {
        condition.withLock {
            guard nextToConsume < loader.batchCount else { return nil }
            while ready[nextToConsume] == nil { condition.wait() }
            let result = ready.removeValue(forKey: nextToConsume)
            nextToConsume += 1
            condition.broadcast()
            return result
        }
    }

    /// Prepares batches in order, staying at most `prefetch` ahead of the consumer.
    func produce() {
        for index in 0..<loader.batchCount {
            let stop = condition.withLock {
                while !cancelled && index - nextToConsume >= loader.prefetch { condition.wait() }
                return cancelled
            }
            if stop { return }
            let result = Result { try makeBatch(index) }
            condition.withLock {
                ready[index] = result
                condition.broadcast()
            }
        }
    }

    private func makeBatch(_ index: Int) throws -> Batch {
        let positions = Array((index * loader.batchSize)..<min((index + 1) * loader.batchSize, order.count))
        var prepared = [Result<Tensor, Error>?](repeating: nil, count: positions.count)
        prepared.withUnsafeMutableBufferPointer { slots in
            let slots = slots
            let workers = min(loader.workers, positions.count)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for slot in stride(from: worker, to: positions.count, by: workers) {
                    let position = positions[slot]
                    slots[slot] = Result { try loader.prepare(loader.dataset.samples[order[position]], epoch: epoch, position: position) }
                }
            }
        }
        let images = try prepared.map { try $0!.get() }
        let samples = positions.map { loader.dataset.samples[order[$0]] }
        if index == 0, let first = images.first {
            // The batches in flight: those prefetched, the one being assembled and the one in use.
            let inFlight = (loader.prefetch + 2) * loader.batchSize * first.count * MemoryLayout<Float>.stride
            try MemoryBudget.check(
                inFlight, for: "loading batches of \(loader.batchSize) images of \(first.shape) with \(loader.prefetch) prefetched",
                budget: memoryBudget)
        }
        for (image, sample) in zip(images, samples) where image.shape != images[0].shape {
            throw DatasetError.inconsistentShape(sample: sample.id, expected: images[0].shape, found: image.shape)
        }
        let softLabels: Tensor? = samples.allSatisfy({ $0.softLabel != nil })
            ? Tensor(shape: [samples.count, loader.dataset.classNames.count], scalars: samples.flatMap { $0.softLabel! })
            : nil
        return Batch(images: Tensor.stacked(images), labels: samples.map(\.label), softLabels: softLabels, ids: samples.map(\.id))
    }
}
