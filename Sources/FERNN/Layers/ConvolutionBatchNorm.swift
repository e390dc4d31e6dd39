import FERTensor

extension Conv2d {
    /// `relu?(norm(self(input)) + residual)`: a convolution, the batch norm
    /// after it and optionally a residual addition and a ReLU.
    ///
    /// When nothing is recorded for backpropagation (`noGrad`, or frozen
    /// parameters and input) and `norm` is in evaluation mode, the batch norm,
    /// the convolution's bias, the addition and the ReLU are folded into the
    /// convolution's epilogue: one pass over the output instead of three, as
    /// inference engines do. Otherwise the layers run one after another.
    public func callAsFunction(
        _ input: Variable, normalizedBy norm: BatchNorm2d, adding residual: Variable? = nil, applyingReLU: Bool = false
    ) -> Variable {
        let parameters = [weight, bias, norm.weight, norm.bias].compactMap { $0?.variable }
        let operands = [input] + parameters + (residual.map { [$0] } ?? [])
        guard norm.isTraining || Variable.recordsGradient(of: operands) else {
            let epilogue = ConvolutionEpilogue.batchNorm(
                weight: norm.weight?.value, bias: norm.bias?.value, runningMean: norm.runningMean.value,
                runningVariance: norm.runningVariance.value, epsilon: norm.epsilon, convolutionBias: bias?.value,
                residual: residual?.value, appliesReLU: applyingReLU)
            return Variable(Tensor.conv2d(input.value, weight: weight.value, options: options, epilogue: epilogue))
        }
        let normalized = norm(self(input), applyingReLU: applyingReLU && residual == nil)
        guard let residual else { return normalized }
        return applyingReLU ? Variable.addReLU(normalized, residual) : normalized + residual
    }
}
