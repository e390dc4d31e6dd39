import FERTensor

/// Layer normalisation over the trailing `normalizedShape` axes, as `torch.nn.LayerNorm`.
public final class LayerNorm: Module, UnaryLayer {
    /// The trailing shape normalised over.
    public let normalizedShape: [Int]
    /// Added to the variance before the square root.
    public let epsilon: Float
    /// Elementwise scale (ones at start), or `nil` without affine parameters.
    public let weight: Parameter?
    /// Elementwise shift (zeros at start), or `nil` without affine parameters.
    public let bias: Parameter?

    /// Normalises over the trailing `normalizedShape`.
    public init(normalizedShape: [Int], epsilon: Float = 1e-5, elementwiseAffine: Bool = true) {
        precondition(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 }, "LayerNorm: bad shape \(normalizedShape)")
        self.normalizedShape = normalizedShape
        self.epsilon = epsilon
        weight = elementwiseAffine ? Parameter(Tensor.ones(normalizedShape)) : nil
        bias = elementwiseAffine ? Parameter(Tensor.zeros(normalizedShape)) : nil
        super.init()
    }

    /// Normalises `input`, whose trailing axes must equal `normalizedShape`.
    public func callAsFunction(_ input: Variable) -> Variable {
        Variable.layerNorm(input, normalizedShape: normalizedShape, weight: weight?.variable, bias: bias?.variable, epsilon: epsilon)
    }
}
