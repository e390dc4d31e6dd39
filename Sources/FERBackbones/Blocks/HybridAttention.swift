import FERNN
import FERTensor

/// Hybrid (channel, then spatial) attention, as CBAM: it re-weights a
/// feature map first per channel, then per position.
///
/// - channel map `[N, C, 1, 1]`: `sigmoid(MLP(avgpool(x)) + MLP(maxpool(x)))`,
///   one MLP `C → C / ratio → C` shared by both poolings (`channel_mlp.*`);
/// - spatial map `[N, 1, H, W]`: `sigmoid(conv7x7([mean_c(y), max_c(y)]))` of
///   the channel-weighted map `y` (`spatial_conv`);
/// - output: `y * spatial map`.
public final class HybridAttention: Module, UnaryLayer {
    public override class var propertyKeys: [String: String] {
        ["channelMLP": "channel_mlp", "spatialConvolution": "spatial_conv"]
    }

    /// `Linear(C, C / ratio)`, ReLU, `Linear(C / ratio, C)`.
    let channelMLP: Sequential
    /// `Conv2d(2, 1, 7, padding: 3)`.
    let spatialConvolution: Conv2d
    /// Channels of the input.
    public let channels: Int

    /// Attention over `channels` channels; the channel MLP has `channels / ratio` hidden units.
    public init(channels: Int, ratio: Int = 16, spatialKernelSize: Int = 7, generator: inout RandomGenerator) {
        precondition(channels > 0 && ratio > 0 && channels / ratio > 0, "HybridAttention: \(channels) channels need ratio <= channels")
        precondition(spatialKernelSize % 2 == 1, "HybridAttention: the spatial kernel size must be odd, got \(spatialKernelSize)")
        self.channels = channels
        channelMLP = Sequential(
            Linear(inputFeatures: channels, outputFeatures: channels / ratio, generator: &generator), ReLU(),
            Linear(inputFeatures: channels / ratio, outputFeatures: channels, generator: &generator))
        spatialConvolution = Conv2d(
            inputChannels: 2, outputChannels: 1, kernelSize: Size2D(spatialKernelSize), padding: Size2D(spatialKernelSize / 2),
            generator: &generator)
        super.init()
    }

    /// The channel map `[N, C, 1, 1]` of `input`.
    public func channelMap(_ input: Variable) -> Variable {
        let pooled = channelMLP(input.mean(alongAxes: [2, 3])) + channelMLP(input.max(alongAxes: [2, 3]))
        return pooled.sigmoid().reshaped([input.shape[0], channels, 1, 1])
    }

    /// The spatial map `[N, 1, H, W]` of `input`.
    public func spatialMap(_ input: Variable) -> Variable {
        let described = Variable.concatenated(
            [input.mean(alongAxes: [1], keepingDimensions: true), input.max(alongAxes: [1], keepingDimensions: true)], axis: 1)
        return spatialConvolution(described).sigmoid()
    }

    /// The input re-weighted by its channel map, then by the spatial map of the result.
    public func callAsFunction(_ input: Variable) -> Variable {
        precondition(
            input.rank == 4 && input.shape[1] == channels,
            "HybridAttention: input must be [N, \(channels), H, W], got \(input.shape)")
        let weighted = input * channelMap(input)
        return weighted * spatialMap(weighted)
    }
}
