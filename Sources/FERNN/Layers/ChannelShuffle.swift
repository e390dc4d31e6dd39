import FERTensor

/// ShuffleNet's channel shuffle, as `torch.nn.ChannelShuffle`: the channels
/// `[N, g * c, H, W]`, seen as `g` groups of `c`, are interleaved so that
/// channel `i * c + j` moves to `j * g + i`. It lets the next grouped
/// convolution (or split) mix information from every group.
public final class ChannelShuffle: Module, UnaryLayer {
    /// Number of groups the channels are seen as.
    public let groups: Int

    /// A shuffle of `groups` groups.
    ///
    /// - Precondition: `groups > 0`.
    public init(groups: Int) {
        precondition(groups > 0, "ChannelShuffle: groups must be positive, got \(groups)")
        self.groups = groups
        super.init()
    }

    /// Shuffles the channels of `input` `[N, C, H, W]`.
    ///
    /// - Precondition: `C` divides by `groups`.
    public func callAsFunction(_ input: Variable) -> Variable {
        precondition(
            input.rank == 4 && input.shape[1] % groups == 0,
            "ChannelShuffle: input must be [N, C, H, W] with C divisible by \(groups), got \(input.shape)")
        let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        return input.reshaped([batch, groups, channels / groups, height, width])
            .transposed(1, 2)
            .reshaped([batch, channels, height, width])
    }
}
