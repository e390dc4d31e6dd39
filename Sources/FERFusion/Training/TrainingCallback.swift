/// Progress of the current epoch, as the trainer reports it after each batch.
public struct BatchProgress: Sendable {
    /// 1-based epoch number, and the run's last epoch.
    public var epoch: Int, epochs: Int
    /// Batches done in this epoch, and how many the epoch has if known.
    public var batch: Int, batches: Int?
    /// Mean loss and accuracy over the epoch's samples so far.
    public var loss: Double, accuracy: Double
    /// Training samples per second so far in this epoch.
    public var samplesPerSecond: Double
    /// Seconds since the epoch started.
    public var seconds: Double
}

/// Something that watches a training run: progress display, logs,
/// checkpoints. Every method has an empty default.
public protocol TrainingCallback: AnyObject {
    /// Before the first epoch `fit` runs; `history` holds the epochs a resumed run already has.
    func trainingStarted(history: [EpochRecord], epochs: Int) throws
    /// After each training batch.
    func batchEnded(_ progress: BatchProgress)
    /// After each epoch's validation; `isBest` when the monitored metric improved.
    func epochEnded(_ record: EpochRecord, isBest: Bool) throws
    /// When the run ends (all epochs, or early stopping).
    func trainingEnded(history: [EpochRecord], stoppedEarly: Bool)
}

extension TrainingCallback {
    public func trainingStarted(history: [EpochRecord], epochs: Int) throws {}
    public func batchEnded(_ progress: BatchProgress) {}
    public func epochEnded(_ record: EpochRecord, isBest: Bool) throws {}
    public func trainingEnded(history: [EpochRecord], stoppedEarly: Bool) {}
}
