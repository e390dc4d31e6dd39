/// Lowers the learning rate when a monitored metric stops improving, as
/// `torch.optim.lr_scheduler.ReduceLROnPlateau`.
///
/// After each epoch, `step(metric:)`:
///
/// 1. counts the epoch as bad unless the metric improves on the best so far
///    by more than the threshold (`min`/relative: `metric < best·(1 − threshold)`,
///    `min`/absolute: `metric < best − threshold`, and mirrored for `max`);
/// 2. during a cooldown, counts the cooldown down and forgets bad epochs;
/// 3. after more than `patience` bad epochs in a row, sets
///    `lr = max(lr·factor, minimumLearningRate)` (only if that lowers it by
///    more than `epsilon`) and starts a cooldown of `cooldown` epochs.
public final class ReduceLROnPlateau: LearningRateSchedule {
    /// Whether the metric should go down (a loss) or up (an accuracy).
    public enum Mode: Sendable {
        /// Lower is better.
        case min
        /// Higher is better.
        case max
    }

    /// How `threshold` measures a significant improvement.
    public enum ThresholdMode: Sendable {
        /// A fraction of the best value.
        case relative
        /// An amount in the metric's units.
        case absolute
    }

    /// Whether lower or higher metrics are better.
    public let mode: Mode
    /// Factor applied to the learning rate on a plateau.
    public let factor: Double
    /// Bad epochs tolerated before the learning rate is lowered.
    public let patience: Int
    /// Smallest improvement that counts, in `thresholdMode`.
    public let threshold: Double
    /// How `threshold` is measured.
    public let thresholdMode: ThresholdMode
    /// Epochs after a reduction during which bad epochs are not counted.
    public let cooldown: Int
    /// The learning rate never goes below this.
    public let minimumLearningRate: Double
    /// Reductions smaller than this are skipped.
    public let epsilon: Double

    /// The current learning rate, in Double as PyTorch keeps it.
    public private(set) var exactLearningRate: Double
    /// The best metric so far (`±infinity` before the first).
    public private(set) var best: Double
    /// Bad epochs in a row.
    public private(set) var badEpochCount = 0
    /// Cooldown epochs left.
    public private(set) var cooldownCounter = 0
    /// Number of `step(metric:)` calls.
    public private(set) var epoch = 0

    /// A schedule starting at `learningRate` with PyTorch's defaults.
    ///
    /// - Precondition: `0 < factor < 1`, `patience`, `cooldown`, `threshold`
    ///   and `minimumLearningRate` not negative.
    public init(
        learningRate: Float, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4,
        thresholdMode: ThresholdMode = .relative, cooldown: Int = 0, minimumLearningRate: Double = 0, epsilon: Double = 1e-8
    ) {
        precondition(factor > 0 && factor < 1, "ReduceLROnPlateau: factor must lie in (0, 1), got \(factor)")
        precondition(patience >= 0 && cooldown >= 0, "ReduceLROnPlateau: patience and cooldown must not be negative")
        precondition(threshold >= 0 && minimumLearningRate >= 0, "ReduceLROnPlateau: threshold and minimum must not be negative")
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minimumLearningRate = minimumLearningRate
        self.epsilon = epsilon
        exactLearningRate = Double(learningRate)
        best = Self.worstValue(for: mode)
    }

    /// The learning rate for the next epoch.
    public var learningRate: Float { Float(exactLearningRate) }

    /// Records the metric of the epoch just finished and lowers the learning rate on a plateau.
    public func step(metric: Double) {
        epoch += 1
        if isImprovement(metric) {
            best = metric
            badEpochCount = 0
        } else {
            badEpochCount += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            badEpochCount = 0
        }
        if badEpochCount > patience {
            let reduced = Swift.max(exactLearningRate * factor, minimumLearningRate)
            if exactLearningRate - reduced > epsilon { exactLearningRate = reduced }
            cooldownCounter = cooldown
            badEpochCount = 0
        }
    }

    /// Whether `metric` beats the best so far by more than the threshold.
    private func isImprovement(_ metric: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .relative): return metric < best * (1 - threshold)
        case (.min, .absolute): return metric < best - threshold
        case (.max, .relative): return metric > best * (1 + threshold)
        case (.max, .absolute): return metric > best + threshold
        }
    }

    private static func worstValue(for mode: Mode) -> Double {
        mode == .min ? .infinity : -.infinity
    }

    /// `learning_rate`, `best`, `num_bad_epochs`, `cooldown_counter` and `last_epoch`.
    public var state: [String: Double] {
        [
            "learning_rate": exactLearningRate, "best": best, "num_bad_epochs": Double(badEpochCount),
            "cooldown_counter": Double(cooldownCounter), "last_epoch": Double(epoch),
        ]
    }

    /// Restores a state saved from `state`.
    public func load(state: [String: Double], source: String?) throws {
        let learningRate = try requiredValue("learning_rate", in: state, source: source)
        guard learningRate.isFinite, learningRate >= 0 else {
            throw TrainingStateError.invalidValue(key: "learning_rate", value: learningRate, expected: "a learning rate ≥ 0", source: source)
        }
        let best = try requiredValue("best", in: state, source: source)
        let badEpochCount = try requiredCount("num_bad_epochs", in: state, source: source)
        let cooldownCounter = try requiredCount("cooldown_counter", in: state, source: source)
        let epoch = try requiredCount("last_epoch", in: state, source: source)
        (exactLearningRate, self.best, self.badEpochCount, self.cooldownCounter, self.epoch) =
            (learningRate, best, badEpochCount, cooldownCounter, epoch)
    }
}
