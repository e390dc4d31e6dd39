/// Multiplies the learning rate by `gamma` at each milestone epoch, as
/// `torch.optim.lr_scheduler.MultiStepLR`:
///
///     lr(e) = baseLearningRate · gamma^(number of milestones ≤ e)
public final class MultiStepLR: EpochLearningRateSchedule {
    /// The learning rate before the first milestone.
    public let baseLearningRate: Float
    /// Epochs at which the learning rate decays, increasing (repeats decay twice, as in PyTorch).
    public let milestones: [Int]
    /// Factor of each decay.
    public let gamma: Float
    /// Epochs completed so far.
    public var epoch = 0

    /// A schedule starting at `baseLearningRate` (the optimizer's learning rate).
    ///
    /// - Precondition: `milestones` is sorted.
    public init(baseLearningRate: Float, milestones: [Int], gamma: Float = 0.1) {
        precondition(milestones == milestones.sorted(), "MultiStepLR: milestones \(milestones) must be increasing")
        self.baseLearningRate = baseLearningRate
        self.milestones = milestones
        self.gamma = gamma
    }

    /// `baseLearningRate · gamma^(number of milestones ≤ epoch)`.
    public func learningRate(atEpoch epoch: Int) -> Float {
        decayed(baseLearningRate, by: gamma, times: milestones.prefix { $0 <= epoch }.count)
    }
}
