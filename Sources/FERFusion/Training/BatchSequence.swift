/// The batches of one pass over a data set, drawn one at a time from a
/// source that may fail (a loader reading image files) or not (cached features).
public struct BatchSequence<Batch> {
    /// Number of batches, when known (progress and ETA use it).
    public let count: Int?
    private let nextBatch: () throws -> Batch?

    /// Batches produced by `next` until it returns `nil`.
    public init(count: Int?, next: @escaping () throws -> Batch?) {
        self.count = count
        nextBatch = next
    }

    /// The batches of `sequence` (its `underestimatedCount` as the count when positive).
    public init<Batches: Sequence>(_ sequence: Batches) where Batches.Element == Batch {
        var iterator = sequence.makeIterator()
        self.init(count: sequence.underestimatedCount > 0 ? sequence.underestimatedCount : nil) { iterator.next() }
    }

    /// The next batch, or `nil` after the last.
    ///
    /// - Throws: what the source throws (a decoding error naming the file, say).
    public func next() throws -> Batch? {
        try nextBatch()
    }
}
