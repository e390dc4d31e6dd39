import Foundation

/// A linear warm-up followed by cosine annealing to a minimum, with `W`
/// warm-up epochs, `T` total epochs, start factor `s`, base rate `η` and
/// minimum `η_min`:
///
///     lr(e) = η · (s + (1 − s) · e / W)                             for e < W
///     lr(e) = η_min + (η − η_min) · (1 + cos(π · (e − W) / (T − W))) / 2   for W ≤ e ≤ T
///     lr(e) = η_min                                                 for e > T
///
/// For `e ≤ T` this is PyTorch's `SequentialLR` of
/// `LinearLR(start_factor=s, end_factor=1, total_iters=W)` and
/// `CosineAnnealingLR(T_max=T−W, eta_min=η_min)` with `milestones=[W]`, in
/// closed form (computed in Double); without warm-up it is
/// `CosineAnnealingLR(T_max=T)`. Unlike PyTorch's, the rate stays at `η_min`
/// after `T` instead of rising again.
public final class CosineAnnealing: EpochLearningRateSchedule {
    /// The learning rate at the end of warm-up, `η`.
    public let baseLearningRate: Float
    /// Epoch `T` at which the learning rate reaches its minimum.
    public let totalEpochs: Int
    /// Epochs of linear warm-up, `W`.
    public let warmupEpochs: Int
    /// Fraction `s` of the base rate at epoch 0 of the warm-up.
    public let warmupStartFactor: Float
    /// The final learning rate, `η_min`.
    public let minimumLearningRate: Float
    /// Epochs completed so far.
    public var epoch = 0

    /// A schedule rising from `warmupStartFactor · baseLearningRate` over
    /// `warmupEpochs` epochs, then annealing to `minimumLearningRate` at `totalEpochs`.
    ///
    /// - Precondition: `0 <= warmupEpochs < totalEpochs`.
    public init(
        baseLearningRate: Float, totalEpochs: Int, warmupEpochs: Int = 0, warmupStartFactor: Float = 1.0 / 3,
        minimumLearningRate: Float = 0
    ) {
        precondition(
            warmupEpochs >= 0 && warmupEpochs < totalEpochs,
            "CosineAnnealing: needs 0 <= warmupEpochs (\(warmupEpochs)) < totalEpochs (\(totalEpochs))")
        self.baseLearningRate = baseLearningRate
        self.totalEpochs = totalEpochs
        self.warmupEpochs = warmupEpochs
        self.warmupStartFactor = warmupStartFactor
        self.minimumLearningRate = minimumLearningRate
    }

    /// The learning rate of `epoch` by the formula above.
    public func learningRate(atEpoch epoch: Int) -> Float {
        let base = Double(baseLearningRate), minimum = Double(minimumLearningRate)
        if epoch < warmupEpochs {
            let start = Double(warmupStartFactor)
            return Float(base * (start + (1 - start) * Double(epoch) / Double(warmupEpochs)))
        }
        let progress = Double(Swift.min(epoch, totalEpochs) - warmupEpochs) / Double(totalEpochs - warmupEpochs)
        return Float(minimum + (base - minimum) * (1 + cos(Double.pi * progress)) / 2)
    }
}
