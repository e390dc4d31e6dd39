/// How a loss combines the per-element losses, as PyTorch's `reduction`.
public enum LossReduction: String, Sendable, CaseIterable {
    /// The (weighted) mean.
    case mean
    /// The sum.
    case sum
    /// No reduction: one loss per sample (or element).
    case none
}
