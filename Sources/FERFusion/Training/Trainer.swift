import FERNN
import FERTensor
import Foundation

/// How a run trains: epochs, gradient clipping, model selection, early
/// stopping, and the seed of the model's own randomness (dropout).
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    /// Epochs to train (a resumed run continues up to this count).
    public var epochs: Int
    /// Largest gradient L2 norm; `nil` leaves gradients as they are.
    public var gradientClipNorm: Float?
    /// The validation metric that selects the best epoch.
    public var monitor: MonitoredMetric
    /// Stop after this many epochs without improvement of `monitor`; `nil` never stops early.
    public var earlyStoppingPatience: Int?
    /// Seeds the stochastic modules (dropout) afresh before each batch, so
    /// that a resumed run draws what an uninterrupted one draws.
    public var seed: UInt64
    /// What a NaN or infinite loss or gradient norm does.
    public var nonFinitePolicy: NonFinitePolicy

    /// A run of `epochs` epochs selected on validation accuracy.
    public init(
        epochs: Int, gradientClipNorm: Float? = nil, monitor: MonitoredMetric = .accuracy, earlyStoppingPatience: Int? = nil,
        seed: UInt64 = 0, nonFinitePolicy: NonFinitePolicy = .stop
    ) {
        precondition(epochs > 0, "TrainingConfiguration: epochs must be positive, got \(epochs)")
        precondition(earlyStoppingPatience.map { $0 > 0 } ?? true, "TrainingConfiguration: patience must be positive")
        self.epochs = epochs
        self.gradientClipNorm = gradientClipNorm
        self.monitor = monitor
        self.earlyStoppingPatience = earlyStoppingPatience
        self.seed = seed
        self.nonFinitePolicy = nonFinitePolicy
    }

    /// The seed of the stochastic modules for (1-based) `batch` of (1-based) `epoch`.
    func stochasticSeed(epoch: Int, batch: Int) -> UInt64 {
        seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(batch) &* 0xD1B5_4A32_D192_ED03
    }
}

/// What training does when a batch's loss or gradient norm is NaN or infinite.
public enum NonFinitePolicy: String, Codable, Sendable {
    /// Stop with `TrainingError.nonFinite`; the last checkpoint stays.
    case stop
    /// Leave the parameters as they were, count the batch as skipped, go on.
    case skipBatch = "skip-batch"
}

/// Why training stopped before its last epoch, or could not resume.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The loss or the gradient norm of a training batch was NaN or infinite;
    /// the checkpoints of the last completed epoch are kept.
    case nonFinite(quantity: String, value: Float, epoch: Int, batch: Int)
    /// `shouldStop` asked to stop; a checkpoint after `batch` of `epoch` was saved (when the trainer has checkpoints).
    case interrupted(epoch: Int, batch: Int, saved: Bool)
    /// `resume` found no complete checkpoint in the directory.
    case noCheckpoint(directory: String)

    public var description: String {
        switch self {
        case let .nonFinite(quantity, value, epoch, batch):
            "training stopped: the \(quantity) was \(value) at epoch \(epoch), batch \(batch); "
                + "the checkpoints of the last completed epoch are kept (try a lower learning rate or gradient clipping)"
        case let .interrupted(epoch, batch, saved):
            "training interrupted after batch \(batch) of epoch \(epoch)"
                + (saved ? "; saved a checkpoint there, so the same command resumes exactly where it stopped" : "")
        case let .noCheckpoint(directory): "\(directory): no complete checkpoint to resume from (no latest.json)"
        }
    }
}

/// A reusable training loop for any classifier: backbones, fusion heads
/// from cached features, fusion models end to end, the FER networks.
///
/// Each epoch sets the learning rate from the schedule, reseeds the model's
/// dropout, trains on the epoch's batches (zero gradients, forward, loss,
/// backward, optional clipping, optimizer step), evaluates on the validation
/// batches in evaluation mode, steps the schedule, saves checkpoints and
/// tells the callbacks. The best epoch is chosen on the validation split,
/// never on the test split (DESIGN.md section 7).
///
/// ```swift
/// let trainer = Trainer<FeatureBatch>(
///     model: head, optimizer: Adam(head.trainableParameters, learningRate: 1e-3),
///     configuration: TrainingConfiguration(epochs: 30, earlyStoppingPatience: 5),
///     classNames: cache.classNames) { batch in (head(batch.input), batch.labels) }
/// trainer.callbacks = [ProgressBar(), try MetricsLog(url: run.appendingPathComponent("metrics.jsonl"))]
/// try trainer.fit(
///     training: { epoch in train.batches(size: 48, shuffledWithSeed: 1, epoch: epoch) },
///     validation: { validation.batches(size: 256) })
/// ```
public final class Trainer<Batch> {
    /// Class logits and labels of a batch; the trainer applies the loss.
    public typealias Forward = (Batch) -> (logits: Variable, labels: [Int])

    /// The module trained (switched between training and evaluation mode).
    public let model: Module
    /// Updates the parameters.
    public let optimizer: any Optimizer
    /// Sets the learning rate of each epoch; `nil` keeps the optimizer's.
    public let schedule: (any LearningRateSchedule)?
    /// Epochs, clipping, monitor, patience, seed.
    public let configuration: TrainingConfiguration
    /// Class names, for the confusion matrices.
    public let classNames: [String]
    /// Watchers of the run.
    public var callbacks: [any TrainingCallback] = []
    /// Where the run saves its last and best epochs; `nil` saves nothing.
    public var checkpoints: TrainingCheckpoints?
    /// Every completed epoch (restored by `resume`).
    public private(set) var history: [EpochRecord] = []
    /// The best epoch so far by the monitored metric (the first of equals).
    public private(set) var best: EpochRecord?
    /// Asked after every training batch; when it answers true, the trainer
    /// saves a checkpoint there and throws `TrainingError.interrupted`
    /// (e.g. after Ctrl-C).
    public var shouldStop: () -> Bool = { false }
    /// An epoch that an interrupted run had begun, to finish first.
    private var partial: TrainingCheckpoints.PartialEpoch?

    private let forward: Forward
    private let loss: (Variable, [Int]) -> Variable

    /// A trainer of `model`; `loss` defaults to cross-entropy.
    public init(
        model: Module, optimizer: any Optimizer, schedule: (any LearningRateSchedule)? = nil,
        configuration: TrainingConfiguration, classNames: [String],
        loss: @escaping (Variable, [Int]) -> Variable = { crossEntropy(logits: $0, labels: $1) },
        forward: @escaping Forward
    ) {
        self.model = model
        self.optimizer = optimizer
        self.schedule = schedule
        self.configuration = configuration
        self.classNames = classNames
        self.loss = loss
        self.forward = forward
    }

    /// Whether `record` beats `best` on the monitored metric (any record beats none).
    private func improves(_ record: EpochRecord) -> Bool {
        guard let best else { return true }
        let (new, old) = (configuration.monitor.value(in: record), configuration.monitor.value(in: best))
        return configuration.monitor.higherIsBetter ? new > old : new < old
    }

    /// Whether the run's history already ends it: all epochs done, or no
    /// improvement for `earlyStoppingPatience` epochs.
    public var isFinished: Bool {
        if history.count >= configuration.epochs { return true }
        guard let patience = configuration.earlyStoppingPatience, let best, let last = history.last else { return false }
        return last.epoch - best.epoch >= patience
    }

    /// Trains from the epoch after the last one in `history` up to
    /// `configuration.epochs`, or until early stopping; `training(epoch)`
    /// gives the batches of a (1-based) epoch, the same ones each time it is
    /// asked, and `validation()` the validation batches. Returns the history.
    ///
    /// - Throws: `TrainingError.nonFinite` when a loss or gradient norm is NaN
    ///   or infinite and the policy is `.stop` (the last checkpoints stay);
    ///   `TrainingError.interrupted` when `shouldStop` asked; what a batch
    ///   source, a checkpoint write or a callback throws.
    @discardableResult
    public func fit(
        training: (Int) throws -> BatchSequence<Batch>, validation: () throws -> BatchSequence<Batch>
    ) throws -> [EpochRecord] {
        for callback in callbacks { try callback.trainingStarted(history: history, epochs: configuration.epochs) }
        while !isFinished {
            let epoch = history.count + 1
            let start = DispatchTime.now().uptimeNanoseconds
            if let schedule { optimizer.learningRate = schedule.learningRate }
            let learningRate = optimizer.learningRate
            let (trainLoss, trainMetrics, skipped) = try trainEpoch(try training(epoch), epoch: epoch, start: start)
            let trainSeconds = seconds(since: start)
            let (validationLoss, validationMetrics) = try evaluate(try validation())
            let record = EpochRecord(
                epoch: epoch, learningRate: learningRate, trainLoss: trainLoss, trainAccuracy: trainMetrics.accuracy,
                validationLoss: validationLoss, validationAccuracy: validationMetrics.accuracy,
                validationMeanClassAccuracy: validationMetrics.meanClassAccuracy, validationMacroF1: validationMetrics.macroF1,
                seconds: seconds(since: start), samplesPerSecond: Double(trainMetrics.count) / Swift.max(trainSeconds, 1e-9),
                skippedBatches: skipped)
            let isBest = improves(record)
            if isBest { best = record }
            history.append(record)
            step(schedule, with: configuration.monitor.value(in: record))
            try checkpoints?.save(trainer: self, isBest: isBest)
            for callback in callbacks { try callback.epochEnded(record, isBest: isBest) }
        }
        let stoppedEarly = history.count < configuration.epochs
        for callback in callbacks { callback.trainingEnded(history: history, stoppedEarly: stoppedEarly) }
        return history
    }

    /// Mean loss and the classification metrics of `batches` in evaluation mode, without gradients.
    ///
    /// - Throws: what the batch source throws.
    public func evaluate(_ batches: BatchSequence<Batch>) throws -> (loss: Double, metrics: ClassificationMetrics) {
        model.eval()
        var metrics = ClassificationMetrics(classNames: classNames)
        var total = 0.0
        while let batch = try batches.next() {
            let (logits, labels) = noGrad { forward(batch) }
            total += Double(noGrad { loss(logits, labels) }.value.item) * Double(labels.count)
            metrics.add(predictions: predictions(logits), labels: labels)
        }
        return (metrics.count == 0 ? 0 : total / Double(metrics.count), metrics)
    }

    /// Restores the epochs already run (and an epoch begun), so that `fit`
    /// continues after them (`TrainingCheckpoints.resume` calls it).
    func restore(history: [EpochRecord], partial: TrainingCheckpoints.PartialEpoch?) {
        self.history = []
        best = nil
        for record in history {
            if improves(record) { best = record }
            self.history.append(record)
        }
        self.partial = partial?.epoch == history.count + 1 ? partial : nil
    }

    /// One epoch's training: the mean loss, the metrics and the number of
    /// skipped batches. An epoch begun before an interruption continues after
    /// its last batch, with the totals it had reached.
    private func trainEpoch(
        _ batches: BatchSequence<Batch>, epoch: Int, start: UInt64
    ) throws -> (Double, ClassificationMetrics, Int) {
        model.train()
        let resumed = partial
        partial = nil
        var metrics = resumed.map { ClassificationMetrics(classNames: classNames, confusion: $0.confusion) }
            ?? ClassificationMetrics(classNames: classNames)
        var total = resumed?.lossTotal ?? 0, skipped = resumed?.skippedBatches ?? 0, batchNumber = 0
        let stochastic = model.modules.compactMap { $0 as? any StochasticModule }
        while let batch = try batches.next() {
            batchNumber += 1
            if batchNumber <= resumed?.batchesDone ?? 0 { continue }  // trained before the interruption
            var generator = RandomGenerator(seed: configuration.stochasticSeed(epoch: epoch, batch: batchNumber))
            for module in stochastic { module.reseed(using: &generator) }
            optimizer.zeroGradients()
            let (logits, labels) = forward(batch)
            let value = loss(logits, labels)
            let lossValue = value.value.item
            var fault: (String, Float)? = lossValue.isFinite ? nil : ("loss", lossValue)
            if fault == nil {
                value.backward()
                if let maxNorm = configuration.gradientClipNorm {
                    let norm = clipGradientNorm(optimizer.parameters, maxNorm: maxNorm)
                    if !norm.isFinite { fault = ("gradient norm", norm) }
                }
            }
            if let fault {
                guard configuration.nonFinitePolicy == .skipBatch else {
                    throw TrainingError.nonFinite(quantity: fault.0, value: fault.1, epoch: epoch, batch: batchNumber)
                }
                optimizer.zeroGradients()
                skipped += 1
            } else {
                optimizer.step()
                total += Double(lossValue) * Double(labels.count)
                metrics.add(predictions: predictions(logits), labels: labels)
            }
            let elapsed = seconds(since: start)
            let progress = BatchProgress(
                epoch: epoch, epochs: configuration.epochs, batch: batchNumber, batches: batches.count,
                loss: total / Double(Swift.max(1, metrics.count)), accuracy: metrics.accuracy,
                samplesPerSecond: Double(metrics.count) / Swift.max(elapsed, 1e-9), seconds: elapsed)
            for callback in callbacks { callback.batchEnded(progress) }
            if shouldStop() {
                let state = TrainingCheckpoints.PartialEpoch(
                    epoch: epoch, batchesDone: batchNumber, lossTotal: total, confusion: metrics.confusion, skippedBatches: skipped)
                try checkpoints?.save(trainer: self, partial: state, isBest: false)
                throw TrainingError.interrupted(epoch: epoch, batch: batchNumber, saved: checkpoints != nil)
            }
        }
        return (metrics.count == 0 ? 0 : total / Double(metrics.count), metrics, skipped)
    }

    private func predictions(_ logits: Variable) -> [Int] {
        logits.value.argmax(alongAxis: 1).scalars.map { Int($0) }
    }

    private func step(_ schedule: (any LearningRateSchedule)?, with metric: Double) {
        switch schedule {
        case let plateau as ReduceLROnPlateau: plateau.step(metric: metric)
        case let epochSchedule as any EpochLearningRateSchedule: epochSchedule.step()
        default: break
        }
    }

    private func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
