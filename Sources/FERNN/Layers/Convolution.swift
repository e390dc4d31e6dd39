import FERTensor

/// PyTorch's default initialisation of a convolution: weight
/// `kaiming_uniform(a = sqrt(5))`, i.e. `U(-b, b)` with `b = 1/sqrt(fanIn)`,
/// and bias `U(-b, b)` with the same bound.
private func convolutionParameters(
    weightShape: [Int], fanIn: Int, bias: Bool, generator: inout RandomGenerator
) -> (Parameter, Parameter?) {
    let bound = 1 / Float(fanIn).squareRoot()
    let weight = Parameter(Tensor.randomUniform(weightShape, low: -bound, high: bound, using: &generator))
    let biasParameter = bias ? Parameter(Tensor.randomUniform([weightShape[0]], low: -bound, high: bound, using: &generator)) : nil
    return (weight, biasParameter)
}

/// Checks channel counts against groups, as PyTorch's constructors do.
private func checkChannels(_ layer: String, _ input: Int, _ output: Int, _ groups: Int) {
    precondition(input > 0 && output > 0 && groups > 0, "\(layer): channels and groups must be positive")
    precondition(
        input % groups == 0 && output % groups == 0,
        "\(layer): \(input) input and \(output) output channels must divide by groups = \(groups)")
}

/// 2-D convolution over NCHW input, as `torch.nn.Conv2d`.
public final class Conv2d: Module, UnaryLayer {
    /// `[outputChannels, inputChannels / groups, kernelHeight, kernelWidth]`.
    public let weight: Parameter
    /// `[outputChannels]`, or `nil` without bias.
    public let bias: Parameter?
    /// Stride, padding, dilation and groups.
    public let options: ConvolutionOptions

    /// A convolution from `inputChannels` to `outputChannels`.
    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Size2D = 0,
        dilation: Size2D = 1, groups: Int = 1, bias: Bool = true, generator: inout RandomGenerator
    ) {
        checkChannels("Conv2d", inputChannels, outputChannels, groups)
        let shape = [outputChannels, inputChannels / groups, kernelSize.height, kernelSize.width]
        (weight, self.bias) = convolutionParameters(
            weightShape: shape, fanIn: shape[1] * kernelSize.height * kernelSize.width, bias: bias, generator: &generator)
        options = ConvolutionOptions(stride: stride, padding: padding, dilation: dilation, groups: groups)
        super.init()
    }

    /// A convolution with the given weight `[O, C/groups, KH, KW]` and bias `[O]`.
    public init(weight: Tensor, bias: Tensor?, options: ConvolutionOptions = .init()) {
        precondition(weight.rank == 4, "Conv2d: weight must be [O, C/groups, KH, KW], got \(weight.shape)")
        if let bias { precondition(bias.shape == [weight.shape[0]], "Conv2d: bias must be [\(weight.shape[0])], got \(bias.shape)") }
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        self.options = options
        super.init()
    }

    /// Convolves `input` `[N, C, H, W]`.
    public func callAsFunction(_ input: Variable) -> Variable {
        Variable.conv2d(input, weight: weight.variable, bias: bias?.variable, options: options)
    }
}

/// 1-D convolution over `[N, C, L]` input, as `torch.nn.Conv1d`.
public final class Conv1d: Module, UnaryLayer {
    /// `[outputChannels, inputChannels / groups, kernelSize]`.
    public let weight: Parameter
    /// `[outputChannels]`, or `nil` without bias.
    public let bias: Parameter?
    /// Step between windows.
    public let stride: Int
    /// Zero padding on both sides.
    public let padding: Int
    /// Spacing between kernel taps.
    public let dilation: Int
    /// Channel groups.
    public let groups: Int

    /// A convolution from `inputChannels` to `outputChannels`.
    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        dilation: Int = 1, groups: Int = 1, bias: Bool = true, generator: inout RandomGenerator
    ) {
        checkChannels("Conv1d", inputChannels, outputChannels, groups)
        let shape = [outputChannels, inputChannels / groups, kernelSize]
        (weight, self.bias) = convolutionParameters(
            weightShape: shape, fanIn: shape[1] * kernelSize, bias: bias, generator: &generator)
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
        super.init()
    }

    /// Convolves `input` `[N, C, L]`.
    public func callAsFunction(_ input: Variable) -> Variable {
        Variable.conv1d(input, weight: weight.variable, bias: bias?.variable,
                        stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}

/// Transposed 2-D convolution, as `torch.nn.ConvTranspose2d`.
public final class ConvTranspose2d: Module, UnaryLayer {
    /// `[inputChannels, outputChannels / groups, kernelHeight, kernelWidth]` (PyTorch's layout).
    public let weight: Parameter
    /// `[outputChannels]`, or `nil` without bias.
    public let bias: Parameter?
    /// Stride, padding, dilation and groups.
    public let options: ConvolutionOptions
    /// Extra rows and columns added to one side of the output.
    public let outputPadding: Size2D

    /// A transposed convolution from `inputChannels` to `outputChannels`.
    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Size2D = 0,
        outputPadding: Size2D = 0, dilation: Size2D = 1, groups: Int = 1, bias: Bool = true,
        generator: inout RandomGenerator
    ) {
        checkChannels("ConvTranspose2d", inputChannels, outputChannels, groups)
        let shape = [inputChannels, outputChannels / groups, kernelSize.height, kernelSize.width]
        // PyTorch computes the fan-in from the weight's second axis here too.
        let fanIn = shape[1] * kernelSize.height * kernelSize.width
        let bound = 1 / Float(fanIn).squareRoot()
        weight = Parameter(Tensor.randomUniform(shape, low: -bound, high: bound, using: &generator))
        self.bias = bias ? Parameter(Tensor.randomUniform([outputChannels], low: -bound, high: bound, using: &generator)) : nil
        options = ConvolutionOptions(stride: stride, padding: padding, dilation: dilation, groups: groups)
        self.outputPadding = outputPadding
        super.init()
    }

    /// Applies the transposed convolution to `input` `[N, C, H, W]`.
    public func callAsFunction(_ input: Variable) -> Variable {
        Variable.convTranspose2d(input, weight: weight.variable, bias: bias?.variable, options: options, outputPadding: outputPadding)
    }
}
