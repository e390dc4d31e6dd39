import Foundation

/// Multiplies the learning rate by `gamma` every `stepSize` epochs, as
/// `torch.optim.lr_scheduler.StepLR`:
///
///     lr(e) = baseLearningRate · gamma^⌊e / stepSize⌋
///
/// (PyTorch's closed form, computed in Double.)
public final class StepLR: EpochLearningRateSchedule {
    /// The learning rate of the first epochs.
    public let baseLearningRate: Float
    /// Epochs between two decays.
    public let stepSize: Int
    /// Factor of each decay.
    public let gamma: Float
    /// Epochs completed so far.
    public var epoch = 0

    /// A schedule starting at `baseLearningRate` (the optimizer's learning rate).
    ///
    /// - Precondition: `stepSize > 0`.
    public init(baseLearningRate: Float, stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize > 0, "StepLR: step size must be positive, got \(stepSize)")
        self.baseLearningRate = baseLearningRate
        self.stepSize = stepSize
        self.gamma = gamma
    }

    /// `baseLearningRate · gamma^⌊epoch / stepSize⌋`.
    public func learningRate(atEpoch epoch: Int) -> Float {
        decayed(baseLearningRate, by: gamma, times: epoch / stepSize)
    }
}

/// `learningRate · gamma^count`, computed in Double.
func decayed(_ learningRate: Float, by gamma: Float, times count: Int) -> Float {
    Float(Double(learningRate) * pow(Double(gamma), Double(count)))
}
