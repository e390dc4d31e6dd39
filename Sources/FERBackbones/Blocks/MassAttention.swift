import FERNN
import FERTensor

/// LANMSFF's mass attention (MassAtt): a channel map and a spatial map,
/// computed side by side from the input, whose product re-weights it.
///
/// - channel map `[N, C, 1, 1]`: `sigmoid(FC(ReLU(FC(GAP(x)))))` with `C / ratio` hidden units (`channel.*`);
/// - spatial map `[N, 1, H, W]`: the mean over channels, two 3x3 stride-2
///   convolutions (2 and 4 channels, ReLU), then two 3x3 stride-2 transposed
///   convolutions (4 channels with ReLU, 1 with sigmoid) back to `H x W` (`spatial.*`);
/// - output: `x * channel * spatial`.
///
/// On sides that do not divide by 4 the up-sampled map misses the input's
/// size by a pixel; it is then resized bilinearly to `H x W`.
public final class MassAttention: Module, UnaryLayer {
    /// `Linear(C, C / ratio)`, ReLU, `Linear(C / ratio, C)`, Sigmoid.
    let channel: Sequential
    /// Convolutions 1 → 2 → 4 channels down, transposed convolutions 4 → 4 → 1 up.
    let spatial: Sequential
    /// Channels of the input.
    public let channels: Int

    /// Attention over `channels` channels with `channels / ratio` hidden units in the channel branch.
    public init(channels: Int, ratio: Int = 4, generator: inout RandomGenerator) {
        precondition(channels > 0 && ratio > 0 && channels / ratio > 0, "MassAttention: \(channels) channels need ratio <= channels")
        self.channels = channels
        channel = Sequential(
            Linear(inputFeatures: channels, outputFeatures: channels / ratio, generator: &generator), ReLU(),
            Linear(inputFeatures: channels / ratio, outputFeatures: channels, generator: &generator), Sigmoid())
        func down(_ input: Int, _ output: Int) -> Conv2d {
            Conv2d(inputChannels: input, outputChannels: output, kernelSize: 3, stride: 2, padding: 1, generator: &generator)
        }
        func up(_ input: Int, _ output: Int) -> ConvTranspose2d {
            ConvTranspose2d(
                inputChannels: input, outputChannels: output, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1,
                generator: &generator)
        }
        spatial = Sequential(down(1, 2), ReLU(), down(2, 4), ReLU(), up(4, 4), ReLU(), up(4, 1), Sigmoid())
        super.init()
    }

    /// The channel map `[N, C, 1, 1]` of `input`.
    public func channelMap(_ input: Variable) -> Variable {
        channel(input.mean(alongAxes: [2, 3])).reshaped([input.shape[0], channels, 1, 1])
    }

    /// The spatial map `[N, 1, H, W]` of `input`.
    public func spatialMap(_ input: Variable) -> Variable {
        let map = spatial(input.mean(alongAxes: [1], keepingDimensions: true))
        let size = Size2D(height: input.shape[2], width: input.shape[3])
        return map.shape[2] == size.height && map.shape[3] == size.width ? map : map.resized(to: size, mode: .bilinear())
    }

    /// `input * channelMap(input) * spatialMap(input)` for `input` `[N, C, H, W]`.
    public func callAsFunction(_ input: Variable) -> Variable {
        precondition(
            input.rank == 4 && input.shape[1] == channels,
            "MassAttention: input must be [N, \(channels), H, W], got \(input.shape)")
        return input * channelMap(input) * spatialMap(input)
    }
}
