import FERNN

/// Everything about how a network is trained that is not the network or the
/// data: optimizer, learning rate and its schedule, batch size, epochs,
/// early stopping, the monitored metric and the name of the augmentation
/// preset. It is plain data (`Codable`), so a run records it in its
/// checkpoints and reports, and published recipes are presets.
public struct TrainingRecipe: Codable, Equatable, Sendable {
    /// The update rule.
    public enum OptimizerKind: String, Codable, CaseIterable, Sendable {
        /// SGD with `momentum` (0.9 by default) and weight decay.
        case sgd
        /// Adam (weight decay added to the gradient).
        case adam
        /// AdamW (decoupled weight decay).
        case adamw
    }

    /// How the learning rate changes from epoch to epoch.
    public enum Schedule: Codable, Equatable, Sendable {
        /// The same rate throughout.
        case constant
        /// Multiplied by `gamma` every `stepSize` epochs.
        case step(stepSize: Int, gamma: Float)
        /// Cosine decay to 0 over the run after `warmupEpochs` of linear warm-up.
        case cosine(warmupEpochs: Int)
        /// Multiplied by `factor` after `patience` epochs without improvement of the monitored metric.
        case plateau(factor: Double, patience: Int)
    }

    /// The update rule.
    public var optimizer: OptimizerKind
    /// Initial learning rate.
    public var learningRate: Float
    /// SGD momentum (ignored by Adam and AdamW).
    public var momentum: Float
    /// Weight decay.
    public var weightDecay: Float
    /// Learning-rate schedule.
    public var schedule: Schedule
    /// Samples per batch.
    public var batchSize: Int
    /// Most epochs to train.
    public var epochs: Int
    /// Stop after this many epochs without improvement; `nil` never stops early.
    public var earlyStoppingPatience: Int?
    /// The validation metric that selects the best epoch (and drives a plateau schedule).
    public var monitor: MonitoredMetric
    /// Largest gradient L2 norm; `nil` does not clip.
    public var gradientClipNorm: Float?
    /// Name of the data augmentation preset (e.g. `paper`, `lanmsff`, `none`), resolved by the data side.
    public var augmentation: String
    /// What a NaN or infinite loss or gradient norm does.
    public var nonFinitePolicy: NonFinitePolicy

    /// A recipe; the defaults are SGD with momentum 0.9 at 0.01, cosine decay, batch 32, 30 epochs, the paper's augmentation.
    public init(
        optimizer: OptimizerKind = .sgd, learningRate: Float = 0.01, momentum: Float = 0.9, weightDecay: Float = 5e-4,
        schedule: Schedule = .cosine(warmupEpochs: 0), batchSize: Int = 32, epochs: Int = 30, earlyStoppingPatience: Int? = nil,
        monitor: MonitoredMetric = .accuracy, gradientClipNorm: Float? = nil, augmentation: String = "paper",
        nonFinitePolicy: NonFinitePolicy = .stop
    ) {
        precondition(learningRate >= 0 && batchSize > 0 && epochs > 0, "TrainingRecipe: learning rate, batch size and epochs must be positive")
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.schedule = schedule
        self.batchSize = batchSize
        self.epochs = epochs
        self.earlyStoppingPatience = earlyStoppingPatience
        self.monitor = monitor
        self.gradientClipNorm = gradientClipNorm
        self.augmentation = augmentation
        self.nonFinitePolicy = nonFinitePolicy
    }

    /// LANMSFF's published recipe: Adam at 1e-3, batch 32, up to 100 epochs,
    /// learning rate x0.1 after 9 epochs and early stopping after 14 epochs
    /// without a lower validation loss, flip / rotation ±15° / scale-crop augmentation.
    public static let lanmsff = TrainingRecipe(
        optimizer: .adam, learningRate: 1e-3, weightDecay: 0, schedule: .plateau(factor: 0.1, patience: 9), batchSize: 32,
        epochs: 100, earlyStoppingPatience: 14, monitor: .loss, augmentation: "lanmsff")

    /// Fine-tuning an ImageNet backbone on RAF-DB as the Fusion Attention
    /// Network paper's baselines: SGD with momentum 0.9 at 0.01, cosine decay
    /// with one warm-up epoch, batch 32, 30 epochs, flip / rotation ±30° /
    /// desaturation augmentation, selected on validation accuracy.
    public static let backboneFineTuning = TrainingRecipe(schedule: .cosine(warmupEpochs: 1))

    /// Training a fusion head from cached features: Adam at 1e-4, batch 48, 50 epochs, early stopping after 10.
    public static let fusionHead = TrainingRecipe(
        optimizer: .adam, learningRate: 1e-4, weightDecay: 0, schedule: .constant, batchSize: 48, epochs: 50,
        earlyStoppingPatience: 10, augmentation: "none")

    /// Joint fusion: both backbones fine-tuned with the head end to end, SGD
    /// with momentum at 1e-3 (pretrained backbones need small steps), cosine
    /// decay, batch 32, 10 epochs, the paper's augmentation.
    public static let jointFusion = TrainingRecipe(learningRate: 1e-3, epochs: 10)

    /// The optimizer of `parameters` this recipe describes.
    public func makeOptimizer(_ parameters: [Parameter]) -> any Optimizer {
        switch optimizer {
        case .sgd: SGD(parameters, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        case .adam: Adam(parameters, learningRate: learningRate, weightDecay: weightDecay)
        case .adamw: AdamW(parameters, learningRate: learningRate, weightDecay: weightDecay)
        }
    }

    /// The learning-rate schedule this recipe describes (`nil` for a constant rate).
    public func makeSchedule() -> (any LearningRateSchedule)? {
        switch schedule {
        case .constant: nil
        case let .step(stepSize, gamma): StepLR(baseLearningRate: learningRate, stepSize: stepSize, gamma: gamma)
        case let .cosine(warmupEpochs):
            CosineAnnealing(baseLearningRate: learningRate, totalEpochs: epochs, warmupEpochs: Swift.min(warmupEpochs, epochs - 1))
        case let .plateau(factor, patience):
            ReduceLROnPlateau(learningRate: learningRate, mode: monitor.higherIsBetter ? .max : .min, factor: factor, patience: patience)
        }
    }

    /// The trainer settings of this recipe (epochs, clipping, monitor, patience) with `seed`.
    public func trainingConfiguration(seed: UInt64) -> TrainingConfiguration {
        TrainingConfiguration(
            epochs: epochs, gradientClipNorm: gradientClipNorm, monitor: monitor, earlyStoppingPatience: earlyStoppingPatience,
            seed: seed, nonFinitePolicy: nonFinitePolicy)
    }
}
