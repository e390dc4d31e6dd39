import FERTensor

/// A depthwise-separable convolution (MobileNet, Xception): a `k x k`
/// convolution of each channel on its own (`depthwise`, groups = channels),
/// then a 1x1 convolution that mixes channels (`pointwise`). It costs about
/// `1 / outputChannels + 1 / k²` of a full convolution.
public final class DepthwiseSeparableConv2d: Module, UnaryLayer {
    /// `[C, 1, k, k]` convolution of each channel, without bias.
    public let depthwise: Conv2d
    /// `[O, C, 1, 1]` convolution across channels.
    public let pointwise: Conv2d

    /// A separable convolution from `inputChannels` to `outputChannels`; the
    /// stride, padding and dilation apply to the depthwise step.
    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Size2D = 0,
        dilation: Size2D = 1, bias: Bool = true, generator: inout RandomGenerator
    ) {
        depthwise = Conv2d(
            inputChannels: inputChannels, outputChannels: inputChannels, kernelSize: kernelSize, stride: stride,
            padding: padding, dilation: dilation, groups: inputChannels, bias: false, generator: &generator)
        pointwise = Conv2d(
            inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 1, bias: bias, generator: &generator)
        super.init()
    }

    /// `pointwise(depthwise(input))` for `input` `[N, C, H, W]`.
    public func callAsFunction(_ input: Variable) -> Variable {
        pointwise(depthwise(input))
    }
}
