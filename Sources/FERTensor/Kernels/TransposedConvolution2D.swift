extension Tensor {
    /// Output shape of `convTranspose2d`, as PyTorch computes it:
    /// `(in - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1`.
    public static func convTranspose2dOutputShape(
        inputShape: [Int], weightShape: [Int], options: ConvolutionOptions, outputPadding: Size2D = 0
    ) -> [Int] {
        precondition(inputShape.count == 4, "convTranspose2d: input must be [N, C, H, W], got \(inputShape)")
        precondition(weightShape.count == 4, "convTranspose2d: weight must be [C, O/groups, KH, KW], got \(weightShape)")
        precondition(
            outputPadding.height >= 0 && outputPadding.width >= 0
                && (outputPadding.height < options.stride.height || outputPadding.height < options.dilation.height)
                && (outputPadding.width < options.stride.width || outputPadding.width < options.dilation.width),
            "convTranspose2d: output padding \(outputPadding) must be smaller than stride or dilation (\(options))")
        func extent(_ input: Int, _ kernel: Int, _ stride: Int, _ padding: Int, _ dilation: Int, _ extra: Int) -> Int {
            (input - 1) * stride - 2 * padding + dilation * (kernel - 1) + extra + 1
        }
        return [
            inputShape[0], weightShape[1] * options.groups,
            extent(inputShape[2], weightShape[2], options.stride.height, options.padding.height,
                   options.dilation.height, outputPadding.height),
            extent(inputShape[3], weightShape[3], options.stride.width, options.padding.width,
                   options.dilation.width, outputPadding.width),
        ]
    }

    /// Transposed 2-D convolution (as `torch.nn.functional.conv_transpose2d`):
    /// the adjoint of `conv2d`, computed by its input-gradient kernel.
    ///
    /// - Parameters:
    ///   - input: `[N, C, H, W]`.
    ///   - weight: `[C, O/groups, KH, KW]` (PyTorch's ConvTranspose2d layout).
    ///   - bias: `[O]`, or `nil`.
    /// - Returns: `[N, O, OH, OW]` with the sizes of `convTranspose2dOutputShape`.
    public static func convTranspose2d(
        _ input: Tensor, weight: Tensor, bias: Tensor? = nil,
        options: ConvolutionOptions = .init(), outputPadding: Size2D = 0
    ) -> Tensor {
        let outputShape = convTranspose2dOutputShape(
            inputShape: input.shape, weightShape: weight.shape, options: options, outputPadding: outputPadding)
        var output = conv2dBackwardInput(input, weight: weight, inputShape: outputShape, options: options)
        if let bias { addChannelBias(bias, to: &output, operation: "convTranspose2d") }
        return output
    }

    /// Gradient of `convTranspose2d` with respect to its input: a forward `conv2d`.
    public static func convTranspose2dBackwardInput(
        _ outputGradient: Tensor, weight: Tensor, options: ConvolutionOptions = .init()
    ) -> Tensor {
        conv2d(outputGradient, weight: weight, options: options)
    }

    /// Gradient of `convTranspose2d` with respect to its weight `[C, O/groups, KH, KW]`.
    public static func convTranspose2dBackwardWeight(
        _ outputGradient: Tensor, input: Tensor, weightShape: [Int], options: ConvolutionOptions = .init()
    ) -> Tensor {
        conv2dBackwardWeight(input, input: outputGradient, weightShape: weightShape, options: options)
    }
}
