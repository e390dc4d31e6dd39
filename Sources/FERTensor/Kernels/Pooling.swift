import CFERKernels

/// Kernel size, stride, padding, dilation and rounding of a 2-D pooling window
/// (PyTorch's `MaxPool2d` / `AvgPool2d` arguments).
public struct PoolingOptions: Equatable, Hashable, Sendable {
    /// Window size.
    public var kernelSize: Size2D
    /// Step between windows (PyTorch's default: the kernel size).
    public var stride: Size2D
    /// Implicit padding on both sides (-inf for max pooling, zeros for average pooling).
    public var padding: Size2D
    /// Spacing between window taps (max pooling only).
    public var dilation: Size2D
    /// Whether the output size rounds up instead of down.
    public var ceilMode: Bool

    /// Options with PyTorch's defaults: stride equal to the kernel size, no padding.
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, dilation: Size2D = 1, ceilMode: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
    }
}

/// Output of max pooling with the positions the backward pass needs.
public struct MaxPoolResult {
    /// Pooled values, `[N, C, OH, OW]`.
    public var output: Tensor
    /// For each output element, the flat index (`h * W + w`) of the chosen
    /// element in its input plane, as PyTorch's `return_indices`.
    public var indices: [Int32]
}

extension Tensor {
    /// Splits an NCHW tensor into planes and checks the rank.
    private static func planes(_ tensor: Tensor, _ operation: String) -> (planes: Int, height: Int, width: Int) {
        precondition(tensor.rank == 4, "\(operation): input must be [N, C, H, W], got \(tensor.shape)")
        return (tensor.shape[0] * tensor.shape[1], tensor.shape[2], tensor.shape[3])
    }

    private static func poolingGeometry(_ input: [Int], _ options: PoolingOptions, _ operation: String) -> WindowGeometry {
        precondition(
            options.padding.height * 2 <= options.kernelSize.height && options.padding.width * 2 <= options.kernelSize.width,
            "\(operation): padding \(options.padding) must be at most half the kernel size \(options.kernelSize)")
        precondition(
            options.stride.height > 0 && options.stride.width > 0 && options.dilation.height > 0 && options.dilation.width > 0,
            "\(operation): stride and dilation must be positive, got \(options)")
        let geometry = WindowGeometry(
            input: Size2D(height: input[2], width: input[3]), kernel: options.kernelSize, stride: options.stride,
            padding: options.padding, dilation: options.dilation, ceilMode: options.ceilMode)
        precondition(
            geometry.raw.out_height > 0 && geometry.raw.out_width > 0,
            "\(operation): window \(options.kernelSize) does not fit input \(input)")
        return geometry
    }

    /// 2-D max pooling (as `torch.nn.functional.max_pool2d` with `return_indices`).
    public static func maxPool2d(_ input: Tensor, options: PoolingOptions) -> MaxPoolResult {
        let (planes, _, _) = Tensor.planes(input, "maxPool2d")
        let geometry = poolingGeometry(input.shape, options, "maxPool2d")
        let output = Tensor.empty([input.shape[0], input.shape[1], geometry.raw.out_height, geometry.raw.out_width])
        let indices = [Int32](unsafeUninitializedCapacity: output.count) { buffer, initialized in
            let x = input.storage.base, y = output.storage.base, argmax = buffer.baseAddress!
            Parallel.forRanges(planes, minimumChunk: planeChunk(geometry.inputPlane)) { _, range in
                fer_max_pool_forward(x, y, argmax, geometry.raw, range.lowerBound, range.upperBound)
            }
            initialized = output.count
        }
        return withExtendedLifetime(input) { MaxPoolResult(output: output, indices: indices) }
    }

    /// 2-D max pooling without the positions of the maxima (inference):
    /// the values of `maxPool2d(_:options:).output`, computed row-wise.
    public static func maxPool2dValues(_ input: Tensor, options: PoolingOptions) -> Tensor {
        let (planes, _, _) = Tensor.planes(input, "maxPool2d")
        let geometry = poolingGeometry(input.shape, options, "maxPool2d")
        let output = Tensor.empty([input.shape[0], input.shape[1], geometry.raw.out_height, geometry.raw.out_width])
        let x = input.storage.base, y = output.storage.base, width = input.shape[3]
        Parallel.forRanges(planes, minimumChunk: planeChunk(geometry.inputPlane)) { _, range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: width) { rowMax in
                fer_max_pool_forward_values(x, y, rowMax.baseAddress!, geometry.raw, range.lowerBound, range.upperBound)
            }
        }
        return withExtendedLifetime(input) { output }
    }

    /// Gradient of `maxPool2d` with respect to its input of shape `inputShape`.
    public static func maxPool2dBackward(
        _ outputGradient: Tensor, indices: [Int32], inputShape: [Int], options: PoolingOptions
    ) -> Tensor {
        let geometry = poolingGeometry(inputShape, options, "maxPool2dBackward")
        precondition(
            outputGradient.shape == [inputShape[0], inputShape[1], geometry.raw.out_height, geometry.raw.out_width]
                && indices.count == outputGradient.count,
            "maxPool2dBackward: output gradient \(outputGradient.shape) or \(indices.count) indices do not match input \(inputShape)")
        let inputGradient = Tensor.empty(inputShape)
        let dy = outputGradient.storage.base, dx = inputGradient.storage.base
        indices.withUnsafeBufferPointer { argmax in
            Parallel.forRanges(inputShape[0] * inputShape[1], minimumChunk: planeChunk(geometry.inputPlane)) { _, range in
                fer_max_pool_backward(dy, argmax.baseAddress!, dx, geometry.raw, range.lowerBound, range.upperBound)
            }
        }
        return withExtendedLifetime(outputGradient) { inputGradient }
    }

    /// 2-D average pooling (as `torch.nn.functional.avg_pool2d`).
    public static func avgPool2d(_ input: Tensor, options: PoolingOptions, countIncludePad: Bool = true) -> Tensor {
        let (planes, _, _) = Tensor.planes(input, "avgPool2d")
        let geometry = poolingGeometry(input.shape, options, "avgPool2d")
        let output = Tensor.empty([input.shape[0], input.shape[1], geometry.raw.out_height, geometry.raw.out_width])
        let x = input.storage.base, y = output.storage.base
        Parallel.forRanges(planes, minimumChunk: planeChunk(geometry.inputPlane)) { _, range in
            fer_avg_pool_forward(x, y, geometry.raw, countIncludePad ? 1 : 0, range.lowerBound, range.upperBound)
        }
        return withExtendedLifetime(input) { output }
    }

    /// Gradient of `avgPool2d` with respect to its input of shape `inputShape`.
    public static func avgPool2dBackward(
        _ outputGradient: Tensor, inputShape: [Int], options: PoolingOptions, countIncludePad: Bool = true
    ) -> Tensor {
        let geometry = poolingGeometry(inputShape, options, "avgPool2dBackward")
        precondition(
            outputGradient.shape == [inputShape[0], inputShape[1], geometry.raw.out_height, geometry.raw.out_width],
            "avgPool2dBackward: output gradient \(outputGradient.shape) does not match input \(inputShape)")
        let inputGradient = Tensor.empty(inputShape)
        let dy = outputGradient.storage.base, dx = inputGradient.storage.base
        Parallel.forRanges(inputShape[0] * inputShape[1], minimumChunk: planeChunk(geometry.inputPlane)) { _, range in
            fer_avg_pool_backward(dy, dx, geometry.raw, countIncludePad ? 1 : 0, range.lowerBound, range.upperBound)
        }
        return withExtendedLifetime(outputGradient) { inputGradient }
    }

    /// Adaptive average pooling to `outputSize` (as `torch.nn.functional.adaptive_avg_pool2d`).
    public static func adaptiveAvgPool2d(_ input: Tensor, outputSize: Size2D) -> Tensor {
        let (planes, height, width) = Tensor.planes(input, "adaptiveAvgPool2d")
        precondition(outputSize.height > 0 && outputSize.width > 0, "adaptiveAvgPool2d: output size \(outputSize) must be positive")
        let output = Tensor.empty([input.shape[0], input.shape[1], outputSize.height, outputSize.width])
        let x = input.storage.base, y = output.storage.base
        Parallel.forRanges(planes, minimumChunk: planeChunk(height * width)) { _, range in
            fer_adaptive_avg_pool_forward(
                x, y, height, width, outputSize.height, outputSize.width, range.lowerBound, range.upperBound)
        }
        return withExtendedLifetime(input) { output }
    }

    /// Gradient of `adaptiveAvgPool2d` with respect to its input of shape `inputShape`.
    public static func adaptiveAvgPool2dBackward(_ outputGradient: Tensor, inputShape: [Int]) -> Tensor {
        precondition(inputShape.count == 4, "adaptiveAvgPool2dBackward: input shape must be [N, C, H, W], got \(inputShape)")
        let (planes, outHeight, outWidth) = Tensor.planes(outputGradient, "adaptiveAvgPool2dBackward")
        precondition(
            planes == inputShape[0] * inputShape[1],
            "adaptiveAvgPool2dBackward: output gradient \(outputGradient.shape) does not match input \(inputShape)")
        let inputGradient = Tensor.empty(inputShape)
        let dy = outputGradient.storage.base, dx = inputGradient.storage.base
        Parallel.forRanges(planes, minimumChunk: planeChunk(inputShape[2] * inputShape[3])) { _, range in
            fer_adaptive_avg_pool_backward(
                dy, dx, inputShape[2], inputShape[3], outHeight, outWidth, range.lowerBound, range.upperBound)
        }
        return withExtendedLifetime(outputGradient) { inputGradient }
    }
}

/// Planes per parallel chunk so that each chunk touches at least ~16K elements.
func planeChunk(_ planeSize: Int) -> Int {
    Swift.max(1, (1 << 14) / Swift.max(1, planeSize))
}
