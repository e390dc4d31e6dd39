extension Tensor {
    /// 1-D convolution (as `torch.nn.functional.conv1d`), run as a 2-D
    /// convolution over a height-1 plane.
    ///
    /// - Parameters:
    ///   - input: `[N, C, L]`.
    ///   - weight: `[O, C/groups, K]`.
    ///   - bias: `[O]`, or `nil`.
    /// - Returns: `[N, O, OL]`.
    public static func conv1d(
        _ input: Tensor, weight: Tensor, bias: Tensor? = nil,
        stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1
    ) -> Tensor {
        let output = conv2d(
            planar(input, "conv1d input"), weight: planar(weight, "conv1d weight"), bias: bias,
            options: options1D(stride: stride, padding: padding, dilation: dilation, groups: groups))
        return output.reshaped([output.shape[0], output.shape[1], output.shape[3]])
    }

    /// Gradient of `conv1d` with respect to its input `[N, C, L]`.
    public static func conv1dBackwardInput(
        _ outputGradient: Tensor, weight: Tensor, inputShape: [Int],
        stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1
    ) -> Tensor {
        precondition(inputShape.count == 3, "conv1dBackwardInput: input shape must be [N, C, L], got \(inputShape)")
        let gradient = conv2dBackwardInput(
            planar(outputGradient, "conv1d output gradient"), weight: planar(weight, "conv1d weight"),
            inputShape: [inputShape[0], inputShape[1], 1, inputShape[2]],
            options: options1D(stride: stride, padding: padding, dilation: dilation, groups: groups))
        return gradient.reshaped(inputShape)
    }

    /// Gradient of `conv1d` with respect to its weight `[O, C/groups, K]`.
    public static func conv1dBackwardWeight(
        _ outputGradient: Tensor, input: Tensor, weightShape: [Int],
        stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1
    ) -> Tensor {
        precondition(weightShape.count == 3, "conv1dBackwardWeight: weight shape must be [O, C/groups, K], got \(weightShape)")
        let gradient = conv2dBackwardWeight(
            planar(outputGradient, "conv1d output gradient"), input: planar(input, "conv1d input"),
            weightShape: [weightShape[0], weightShape[1], 1, weightShape[2]],
            options: options1D(stride: stride, padding: padding, dilation: dilation, groups: groups))
        return gradient.reshaped(weightShape)
    }

    /// `[A, B, L]` viewed as `[A, B, 1, L]`.
    private static func planar(_ tensor: Tensor, _ role: String) -> Tensor {
        precondition(tensor.rank == 3, "\(role) must have rank 3, got \(tensor.shape)")
        return tensor.reshaped([tensor.shape[0], tensor.shape[1], 1, tensor.shape[2]])
    }

    private static func options1D(stride: Int, padding: Int, dilation: Int, groups: Int) -> ConvolutionOptions {
        ConvolutionOptions(
            stride: Size2D(height: 1, width: stride), padding: Size2D(height: 0, width: padding),
            dilation: Size2D(height: 1, width: dilation), groups: groups)
    }
}
