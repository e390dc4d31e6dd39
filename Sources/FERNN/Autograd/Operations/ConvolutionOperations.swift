import FERTensor

// Convolutions with FERTensor's backward kernels. Each gradient is computed
// only for the inputs that need it: a network's first layer, whose input is
// data, skips the input gradient (the most expensive pass after the forward).

extension Variable {
    /// 2-D convolution, as `Tensor.conv2d`.
    ///
    /// - Parameters:
    ///   - input: `[N, C, H, W]`.
    ///   - weight: `[O, C/groups, KH, KW]`.
    ///   - bias: `[O]`, or `nil`.
    /// - Returns: `[N, O, OH, OW]`.
    public static func conv2d(
        _ input: Variable, weight: Variable, bias: Variable? = nil, options: ConvolutionOptions = .init()
    ) -> Variable {
        let output = Tensor.conv2d(input.value, weight: weight.value, bias: bias?.value, options: options)
        return recordConvolution(output, name: "conv2d", input: input, weight: weight, bias: bias) { gradient in
            (input.requiresGradient
                ? Tensor.conv2dBackwardInput(gradient, weight: weight.value, inputShape: input.shape, options: options) : nil,
             weight.requiresGradient
                ? Tensor.conv2dBackwardWeight(gradient, input: input.value, weightShape: weight.shape, options: options) : nil)
        }
    }

    /// 1-D convolution, as `Tensor.conv1d`.
    ///
    /// - Parameters:
    ///   - input: `[N, C, L]`.
    ///   - weight: `[O, C/groups, K]`.
    ///   - bias: `[O]`, or `nil`.
    /// - Returns: `[N, O, OL]`.
    public static func conv1d(
        _ input: Variable, weight: Variable, bias: Variable? = nil,
        stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1
    ) -> Variable {
        let output = Tensor.conv1d(
            input.value, weight: weight.value, bias: bias?.value,
            stride: stride, padding: padding, dilation: dilation, groups: groups)
        return recordConvolution(output, name: "conv1d", input: input, weight: weight, bias: bias) { gradient in
            (input.requiresGradient
                ? Tensor.conv1dBackwardInput(
                    gradient, weight: weight.value, inputShape: input.shape,
                    stride: stride, padding: padding, dilation: dilation, groups: groups) : nil,
             weight.requiresGradient
                ? Tensor.conv1dBackwardWeight(
                    gradient, input: input.value, weightShape: weight.shape,
                    stride: stride, padding: padding, dilation: dilation, groups: groups) : nil)
        }
    }

    /// Transposed 2-D convolution, as `Tensor.convTranspose2d`.
    ///
    /// - Parameters:
    ///   - input: `[N, C, H, W]`.
    ///   - weight: `[C, O/groups, KH, KW]` (PyTorch's ConvTranspose2d layout).
    ///   - bias: `[O]`, or `nil`.
    /// - Returns: `[N, O, OH, OW]` with the sizes of `Tensor.convTranspose2dOutputShape`.
    /// - Precondition: `outputPadding` is smaller than the stride on each axis
    ///   (PyTorch also allows it below the dilation; the gradient kernels do not).
    public static func convTranspose2d(
        _ input: Variable, weight: Variable, bias: Variable? = nil,
        options: ConvolutionOptions = .init(), outputPadding: Size2D = 0
    ) -> Variable {
        precondition(
            outputPadding.height < options.stride.height && outputPadding.width < options.stride.width,
            "convTranspose2d: output padding \(outputPadding) must be smaller than the stride \(options.stride) for gradients")
        let output = Tensor.convTranspose2d(
            input.value, weight: weight.value, bias: bias?.value, options: options, outputPadding: outputPadding)
        return recordConvolution(output, name: "convTranspose2d", input: input, weight: weight, bias: bias) { gradient in
            (input.requiresGradient
                ? Tensor.convTranspose2dBackwardInput(gradient, weight: weight.value, options: options) : nil,
             weight.requiresGradient
                ? Tensor.convTranspose2dBackwardWeight(
                    gradient, input: input.value, weightShape: weight.shape, options: options) : nil)
        }
    }

    /// Records a convolution with operands `[input, weight, bias]`.
    /// `inputAndWeight` returns the gradients of the first two (`nil` where
    /// not required); the bias gradient is the output gradient summed over
    /// batch and space.
    private static func recordConvolution(
        _ output: Tensor, name: String, input: Variable, weight: Variable, bias: Variable?,
        inputAndWeight: @escaping (Tensor) -> (Tensor?, Tensor?)
    ) -> Variable {
        let needsBiasGradient = bias?.requiresGradient == true
        return record(output, name: name, optionalInputs: [input, weight, bias]) { gradient in
            let (inputGradient, weightGradient) = inputAndWeight(gradient)
            return [inputGradient, weightGradient, needsBiasGradient ? Tensor.conv2dBackwardBias(gradient) : nil]
        }
    }
}
