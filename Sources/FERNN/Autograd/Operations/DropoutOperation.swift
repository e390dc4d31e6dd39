import FERTensor

extension Variable {
    /// Inverted dropout: while `training`, each element is zeroed with
    /// `probability` and the survivors are scaled by `1 / (1 - probability)`,
    /// so the expected value is unchanged; the same mask scales the gradient.
    ///
    /// Returns this variable unchanged (and draws nothing from `generator`)
    /// when not training or when `probability` is 0. With `probability` 1
    /// every element is zeroed, as PyTorch.
    ///
    /// - Precondition: `0 <= probability <= 1`.
    public func dropout(probability: Float, training: Bool, generator: inout RandomGenerator) -> Variable {
        precondition(
            probability >= 0 && probability <= 1,
            "dropout(probability: \(probability)): probability must lie in [0, 1]")
        guard training, probability > 0 else { return self }
        let mask = probability == 1
            ? Tensor.zeros(shape)
            : Tensor.randomUniform(shape, using: &generator).isGreaterOrEqual(to: probability) * (1 / (1 - probability))
        return Variable.record(value * mask, name: "dropout", inputs: [self]) { [$0 * mask] }
    }
}
