import ArgumentParser
import FERBackbones
import FERFusion

/// Options that override a training recipe's settings (the command chooses the recipe).
struct RecipeOptions: ParsableArguments {
    @Option(help: "Epochs (most, with early stopping).")
    var epochs: Int?

    @Option(help: "Images per batch.")
    var batch: Int?

    @Option(help: "Initial learning rate.")
    var lr: Float?

    @Option(help: "Optimizer: \(TrainingRecipe.OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var optimizer: TrainingRecipe.OptimizerKind?

    @Option(help: "Learning-rate schedule: constant, step (x0.1 every third of the run), cosine, plateau (x0.1 after 5 flat epochs).")
    var schedule: ScheduleName?

    @Option(help: "Augmentation: \(AugmentationPreset.allCases.map(\.rawValue).joined(separator: ", ")).")
    var augment: AugmentationPreset?

    @Option(help: "Stop after this many epochs without improvement on validation.")
    var patience: Int?

    @Option(help: "Largest gradient L2 norm (clipping).")
    var clip: Float?

    @Flag(help: "Skip a batch whose loss or gradient is NaN or infinite instead of stopping the run.")
    var skipNonfinite = false

    /// Schedule names on the command line.
    enum ScheduleName: String, ExpressibleByArgument, CaseIterable {
        case constant, step, cosine, plateau
    }

    func validate() throws {
        if let epochs, epochs <= 0 { throw ValidationError("--epochs must be positive, got \(epochs)") }
        if let batch, batch <= 0 { throw ValidationError("--batch must be positive, got \(batch)") }
        if let lr, !(lr > 0) { throw ValidationError("--lr must be positive, got \(lr)") }
        if let patience, patience <= 0 { throw ValidationError("--patience must be positive, got \(patience)") }
        if let clip, !(clip > 0) { throw ValidationError("--clip must be positive, got \(clip)") }
    }

    /// `base` with the overrides applied.
    func applied(to base: TrainingRecipe) -> TrainingRecipe {
        var result = base
        if let epochs { result.epochs = epochs }
        if let batch { result.batchSize = batch }
        if let lr { result.learningRate = lr }
        if let optimizer { result.optimizer = optimizer }
        if let augment { result.augmentation = augment.rawValue }
        if let patience { result.earlyStoppingPatience = patience }
        if let clip { result.gradientClipNorm = clip }
        if skipNonfinite { result.nonFinitePolicy = .skipBatch }
        switch schedule {
        case .constant: result.schedule = .constant
        case .step: result.schedule = .step(stepSize: Swift.max(1, result.epochs / 3), gamma: 0.1)
        case .cosine: result.schedule = .cosine(warmupEpochs: result.epochs > 3 ? 1 : 0)
        case .plateau: result.schedule = .plateau(factor: 0.1, patience: 5)
        case nil: break
        }
        return result
    }
}

extension TrainingRecipe.OptimizerKind: ExpressibleByArgument {}
