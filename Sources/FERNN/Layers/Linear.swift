import FERTensor

/// A fully connected layer, `y = x Wᵀ + b`, as `torch.nn.Linear`.
///
/// Applies to the last axis of inputs of any rank. Weight `[out, in]` and bias
/// `[out]` start as PyTorch's: `U(-1/sqrt(in), 1/sqrt(in))`.
public final class Linear: Module, UnaryLayer {
    /// `[outputFeatures, inputFeatures]`.
    public let weight: Parameter
    /// `[outputFeatures]`, or `nil` without bias.
    public let bias: Parameter?

    /// A layer from `inputFeatures` to `outputFeatures` features.
    public init(inputFeatures: Int, outputFeatures: Int, bias: Bool = true, generator: inout RandomGenerator) {
        precondition(inputFeatures > 0 && outputFeatures > 0, "Linear: feature counts must be positive, got \(inputFeatures) -> \(outputFeatures)")
        weight = Parameter(Initialization.kaimingUniform([outputFeatures, inputFeatures], negativeSlope: Float(5).squareRoot(), using: &generator))
        let bound = 1 / Float(inputFeatures).squareRoot()
        self.bias = bias ? Parameter(Tensor.randomUniform([outputFeatures], low: -bound, high: bound, using: &generator)) : nil
        super.init()
    }

    /// A layer with the given weight `[out, in]` and bias `[out]`.
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear: weight must be [out, in], got \(weight.shape)")
        if let bias { precondition(bias.shape == [weight.shape[0]], "Linear: bias must be [\(weight.shape[0])], got \(bias.shape)") }
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        super.init()
    }

    /// Number of input features.
    public var inputFeatures: Int { weight.value.shape[1] }
    /// Number of output features.
    public var outputFeatures: Int { weight.value.shape[0] }

    /// `input Wᵀ + b` over the last axis.
    public func callAsFunction(_ input: Variable) -> Variable {
        precondition(
            input.rank >= 1 && input.shape.last == inputFeatures,
            "Linear: input \(input.shape) must end in \(inputFeatures) features")
        let rows = input.rank == 2 ? input : input.reshaped([-1, inputFeatures])
        var output = Variable.matmul(rows, weight.variable, transposeB: true)
        if let bias { output = output + bias.variable }
        return input.rank == 2 ? output : output.reshaped(Array(input.shape.dropLast()) + [outputFeatures])
    }
}
