import FERNN
import FERTensor

/// LANMSFF's point-wise feature selection (PWFS): the channels are split
/// into three equal groups, and at every position the output keeps the mean
/// of the largest and the median of the three group values, discarding the
/// smallest: `[N, 3c, H, W]` → `[N, c, H, W]`.
///
/// Since `median = a + b + c - max - min`, the output `(max + median) / 2`
/// equals `(a + b + c - min) / 2`, which is how it is computed.
public final class PointwiseFeatureSelection: Module, UnaryLayer {
    /// The selection (it has no parameters).
    override public init() {
        super.init()
    }

    /// Selects from `input` `[N, C, H, W]`, `C` divisible by 3.
    public func callAsFunction(_ input: Variable) -> Variable {
        precondition(
            input.rank == 4 && input.shape[1] % 3 == 0,
            "PointwiseFeatureSelection: input must be [N, C, H, W] with C divisible by 3, got \(input.shape)")
        let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let groups = input.reshaped([batch, 3, channels / 3, height, width])
        return (groups.sum(alongAxes: [1]) - groups.min(alongAxes: [1])) * 0.5
    }
}
