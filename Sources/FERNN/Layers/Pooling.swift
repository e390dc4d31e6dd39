import FERTensor

/// 2-D max pooling, as `torch.nn.MaxPool2d`.
public final class MaxPool2d: Module, UnaryLayer {
    /// Window, stride, padding, dilation and rounding.
    public let options: PoolingOptions

    /// Max pooling with PyTorch's defaults (stride = kernel size).
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, dilation: Size2D = 1, ceilMode: Bool = false) {
        options = PoolingOptions(kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
        super.init()
    }

    /// Pools `input` `[N, C, H, W]`.
    public func callAsFunction(_ input: Variable) -> Variable { Variable.maxPool2d(input, options: options) }
}

/// 2-D average pooling, as `torch.nn.AvgPool2d`.
public final class AvgPool2d: Module, UnaryLayer {
    /// Window, stride, padding and rounding.
    public let options: PoolingOptions
    /// Whether zero padding counts in the divisor.
    public let countIncludePad: Bool

    /// Average pooling with PyTorch's defaults (stride = kernel size).
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        options = PoolingOptions(kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode)
        self.countIncludePad = countIncludePad
        super.init()
    }

    /// Pools `input` `[N, C, H, W]`.
    public func callAsFunction(_ input: Variable) -> Variable {
        Variable.avgPool2d(input, options: options, countIncludePad: countIncludePad)
    }
}

/// Average pooling to a fixed output size, as `torch.nn.AdaptiveAvgPool2d`.
public final class AdaptiveAvgPool2d: Module, UnaryLayer {
    /// Output height and width.
    public let outputSize: Size2D

    /// Pools any input to `outputSize`.
    public init(outputSize: Size2D) {
        self.outputSize = outputSize
        super.init()
    }

    /// Pools `input` `[N, C, H, W]` to `[N, C, outputSize]`.
    public func callAsFunction(_ input: Variable) -> Variable { Variable.adaptiveAvgPool2d(input, outputSize: outputSize) }
}

/// Resizes feature maps, as `torch.nn.Upsample` (by a fixed size, or by a
/// scale factor with the output size `floor(input * scale)`).
public final class Upsample: Module, UnaryLayer {
    /// Fixed output size, if given.
    public let size: Size2D?
    /// Scale factor, when no size is given.
    public let scaleFactor: Float?
    /// Interpolation.
    public let mode: ResizeMode

    /// Resizes to a fixed `size`.
    public init(size: Size2D, mode: ResizeMode = .nearest) {
        (self.size, self.scaleFactor, self.mode) = (size, nil, mode)
        super.init()
    }

    /// Resizes by `scaleFactor`.
    public init(scaleFactor: Float, mode: ResizeMode = .nearest) {
        precondition(scaleFactor > 0, "Upsample: scale factor \(scaleFactor) must be positive")
        (self.size, self.scaleFactor, self.mode) = (nil, scaleFactor, mode)
        super.init()
    }

    /// Resizes `input` `[N, C, H, W]`.
    public func callAsFunction(_ input: Variable) -> Variable {
        precondition(input.rank == 4, "Upsample: input must be [N, C, H, W], got \(input.shape)")
        let target = size ?? Size2D(
            height: Int((Float(input.shape[2]) * scaleFactor!).rounded(.down)),
            width: Int((Float(input.shape[3]) * scaleFactor!).rounded(.down)))
        return input.resized(to: target, mode: mode)
    }
}
