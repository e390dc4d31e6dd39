import FERTensor

/// What `Variable.batchNorm` returns: the normalised output and the
/// statistics a BatchNorm layer keeps.
public struct BatchNormResult {
    /// The normalised (and, with weight and bias, scaled and shifted) input.
    public var output: Variable
    /// Per-channel batch mean `[C]` in training mode; `nil` in eval mode.
    public var batchMean: Tensor?
    /// Per-channel *unbiased* batch variance `[C]` in training mode (what
    /// PyTorch folds into the running variance); `nil` in eval mode.
    public var batchVariance: Tensor?
    /// The running mean after this call: `(1 - momentum) * running + momentum * batch`
    /// in training mode, the given one unchanged in eval mode.
    public var runningMean: Tensor
    /// The running variance after this call, updated like `runningMean` from
    /// the unbiased batch variance.
    public var runningVariance: Tensor
}

extension Variable {
    /// Batch normalisation of `[N, C, ...]` over the batch and spatial axes
    /// (`torch.nn.functional.batch_norm`).
    ///
    /// In training mode the input is normalised with the batch's own mean and
    /// biased variance (`Tensor.batchNormTraining`, backward through
    /// `Tensor.batchNormTrainingBackward`, gradients flowing through the
    /// statistics); the result also carries the batch mean, the unbiased
    /// batch variance and the running statistics updated with `momentum`, for
    /// the caller to store. In eval mode the given running statistics
    /// normalise the input as constants (`Tensor.channelAffine`), so the
    /// input gradient is the output gradient times `weight / √(var + ε)`.
    /// With `applyingReLU`, the output is `relu(batchNorm(x))`, computed in
    /// the same pass and differentiated as the composition.
    ///
    /// - Parameters:
    ///   - weight, bias: per-channel scale (gamma) and shift (beta) `[C]`, or `nil`.
    ///   - runningMean, runningVariance: `[C]`.
    /// - Precondition: shapes as above; in training, more than one value per channel.
    public static func batchNorm(
        _ input: Variable, weight: Variable?, bias: Variable?, runningMean: Tensor, runningVariance: Tensor,
        training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5, applyingReLU: Bool = false
    ) -> BatchNormResult {
        precondition(input.rank >= 2, "batchNorm: input must be [N, C, ...], got \(input.shape)")
        let channels = input.shape[1]
        for (role, shape) in [("weight", weight?.shape), ("bias", bias?.shape), ("running mean", runningMean.shape),
                              ("running variance", runningVariance.shape)] {
            requireShape(shape, [channels], "batchNorm: \(role) for input \(input.shape)")
        }
        guard training else {
            let output = batchNormEvaluation(
                input, weight: weight, bias: bias, mean: runningMean, variance: runningVariance, epsilon: epsilon,
                applyingReLU: applyingReLU)
            return BatchNormResult(
                output: output, batchMean: nil, batchVariance: nil, runningMean: runningMean, runningVariance: runningVariance)
        }
        let perChannel = input.value.count / Swift.max(1, channels)
        precondition(perChannel > 1, "batchNorm: training needs more than one value per channel, input is \(input.shape)")
        let (output, statistics, inverse) = Tensor.batchNormTraining(
            input.value, weight: weight?.value, bias: bias?.value, epsilon: epsilon, relu: applyingReLU)
        let name = applyingReLU ? "batchNorm+relu" : "batchNorm"
        let result = record(output, name: name, optionalInputs: [input, weight, bias]) { gradient in
            let gradients = Tensor.batchNormTrainingBackward(
                gradient, input: input.value, mean: statistics.mean, inverseStandardDeviation: inverse, weight: weight?.value,
                reluOutput: applyingReLU ? output : nil)
            return [gradients.input, gradients.weight, gradients.bias]
        }
        let unbiased = statistics.variance * (Float(perChannel) / Float(perChannel - 1))
        return BatchNormResult(
            output: result, batchMean: statistics.mean, batchVariance: unbiased,
            runningMean: runningMean * (1 - momentum) + statistics.mean * momentum,
            runningVariance: runningVariance * (1 - momentum) + unbiased * momentum)
    }

    /// `(x - mean) / sqrt(variance + epsilon)` per channel.
    private static func normalized(_ input: Tensor, mean: Tensor, variance: Tensor, epsilon: Float) -> Tensor {
        let inverse = (variance + epsilon).rsqrt()
        return Tensor.channelAffine(input, scale: inverse, shift: -(mean * inverse))
    }

    /// Eval-mode batch normalisation: `x * scale + shift` per channel with
    /// `scale = gamma / √(var + ε)` and `shift = beta - mean * scale`.
    private static func batchNormEvaluation(
        _ input: Variable, weight: Variable?, bias: Variable?, mean: Tensor, variance: Tensor, epsilon: Float,
        applyingReLU: Bool
    ) -> Variable {
        let (scale, shift) = Tensor.batchNormAffine(
            weight: weight?.value, bias: bias?.value, mean: mean, variance: variance, epsilon: epsilon)
        let output = Tensor.channelAffine(input.value, scale: scale, shift: shift, relu: applyingReLU)
        let name = applyingReLU ? "batchNorm+relu(eval)" : "batchNorm(eval)"
        return record(output, name: name, optionalInputs: [input, weight, bias]) { upstream in
            let gradient = applyingReLU ? Variable.chained(upstream, output, ReLUDerivative()) : upstream
            let inputGradient = input.requiresGradient
                ? Tensor.channelAffine(gradient, scale: scale, shift: Tensor.zeros(mean.shape)) : nil
            let weightGradient = weight?.requiresGradient == true
                ? Tensor.conv2dBackwardBias(gradient * normalized(input.value, mean: mean, variance: variance, epsilon: epsilon))
                : nil
            let biasGradient = bias?.requiresGradient == true ? Tensor.conv2dBackwardBias(gradient) : nil
            return [inputGradient, weightGradient, biasGradient]
        }
    }

    /// Layer normalisation over the trailing axes `normalizedShape`
    /// (`torch.nn.functional.layer_norm`): each sample is shifted to mean 0
    /// and scaled to (biased) variance 1, then multiplied by `weight` and
    /// shifted by `bias` elementwise.
    ///
    /// Backward, with `x̂` the normalised input, `ĝ = g ⊙ weight` and means
    /// over the normalised axes: `dx = (ĝ - mean(ĝ) - x̂ mean(ĝ ⊙ x̂)) / √(var + ε)`.
    ///
    /// - Parameters:
    ///   - weight, bias: of shape `normalizedShape`, or `nil`.
    /// - Precondition: the input's shape ends with `normalizedShape`.
    public static func layerNorm(
        _ input: Variable, normalizedShape: [Int], weight: Variable? = nil, bias: Variable? = nil, epsilon: Float = 1e-5
    ) -> Variable {
        precondition(
            input.shape.count >= normalizedShape.count && Array(input.shape.suffix(normalizedShape.count)) == normalizedShape,
            "layerNorm: input \(input.shape) does not end with the normalized shape \(normalizedShape)")
        for (role, shape) in [("weight", weight?.shape), ("bias", bias?.shape)] {
            requireShape(shape, normalizedShape, "layerNorm: \(role)")
        }
        let axes = Array((input.rank - normalizedShape.count)..<input.rank)
        let centered = input.value - input.value.mean(alongAxes: axes, keepingDimensions: true)
        let inverse = (centered.squared().mean(alongAxes: axes, keepingDimensions: true) + epsilon).rsqrt()
        let normalized = centered * inverse
        var output = weight.map { normalized * $0.value } ?? normalized
        if let bias { output += bias.value }
        return record(output, name: "layerNorm", optionalInputs: [input, weight, bias]) { gradient in
            var inputGradient: Tensor?
            if input.requiresGradient {
                let scaled = weight.map { gradient * $0.value } ?? gradient
                let projection = (scaled * normalized).mean(alongAxes: axes, keepingDimensions: true)
                inputGradient = (scaled - scaled.mean(alongAxes: axes, keepingDimensions: true) - normalized * projection) * inverse
            }
            let weightGradient = weight?.requiresGradient == true
                ? (gradient * normalized).sumReduced(toShape: normalizedShape) : nil
            let biasGradient = bias?.requiresGradient == true ? gradient.sumReduced(toShape: normalizedShape) : nil
            return [inputGradient, weightGradient, biasGradient]
        }
    }

    /// Stops unless an optional operand's `shape` is absent or `expected`.
    private static func requireShape(_ shape: [Int]?, _ expected: [Int], _ role: @autoclosure () -> String) {
        guard let shape else { return }
        precondition(shape == expected, "\(role()) must have shape \(expected), got \(shape)")
    }
}
