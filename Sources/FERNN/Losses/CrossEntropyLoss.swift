import FERTensor

/// Cross-entropy of `logits` `[N, C]` against class indices, as
/// `torch.nn.functional.cross_entropy`.
///
/// With class `weights` `w` and label smoothing `ε`, sample `i` with label
/// `y` loses `-(1-ε) w[y] log p[y] - (ε/C) Σ_c w[c] log p[c]`; `.mean`
/// divides the sum by `Σ_i w[y_i]` (the sample count without weights).
///
/// - Precondition: every label is in `0..<C`; `weights` has shape `[C]`.
public func crossEntropy(
    logits: Variable, labels: [Int], weights: Tensor? = nil, labelSmoothing: Float = 0,
    reduction: LossReduction = .mean
) -> Variable {
    let (count, classes) = classificationShape(logits.shape, labels: labels, weights: weights, loss: "crossEntropy")
    precondition((0...1).contains(labelSmoothing), "crossEntropy: label smoothing \(labelSmoothing) must be in [0, 1]")
    let logProbabilities = logits.value.logSoftmax(alongAxis: 1)
    let classWeights = weights?.scalars ?? [Float](repeating: 1, count: classes)
    let smoothingShare = labelSmoothing / Float(classes)
    // Coefficient of log p[i, c] in the loss of sample i, and their row sums.
    var coefficients = [Float](repeating: 0, count: count * classes)
    var rowSums = [Float](repeating: 0, count: count)
    var losses = [Float](repeating: 0, count: count)
    let weightTotal = classWeights.reduce(0, +)
    logProbabilities.withUnsafeBufferPointer { logp in
        for sample in 0..<count {
            let row = sample * classes, label = labels[sample]
            var loss: Float = 0
            for c in 0..<classes {
                var coefficient = smoothingShare * classWeights[c]
                if c == label { coefficient += (1 - labelSmoothing) * classWeights[c] }
                coefficients[row + c] = coefficient
                loss -= coefficient * logp[row + c]
            }
            losses[sample] = loss
            rowSums[sample] = (1 - labelSmoothing) * classWeights[label] + smoothingShare * weightTotal
        }
    }
    let normalizer = reduction == .mean ? labels.reduce(Float(0)) { $0 + classWeights[$1] } : 1
    let value = reduced(losses, reduction, normalizer: normalizer)
    return Variable.record(value, name: "crossEntropy", inputs: [logits]) { gradient in
        // d loss_i / d z[i, c] = rowSum_i * softmax[i, c] - coefficient[i, c].
        var result = logProbabilities.exp()
        result.withUnsafeMutableBufferPointer { g in
            gradient.withUnsafeBufferPointer { upstream in
                for sample in 0..<count {
                    let scale = (reduction == .none ? upstream[sample] : upstream[0]) / normalizer
                    for c in 0..<classes {
                        let index = sample * classes + c
                        g[index] = scale * (rowSums[sample] * g[index] - coefficients[index])
                    }
                }
            }
        }
        return [result]
    }
}

/// Negative log-likelihood of log-probabilities `[N, C]` against class
/// indices, as `torch.nn.functional.nll_loss`: sample `i` loses
/// `-w[y_i] logp[i, y_i]`; `.mean` divides by `Σ_i w[y_i]`.
///
/// - Precondition: every label is in `0..<C`; `weights` has shape `[C]`.
public func negativeLogLikelihood(
    logProbabilities: Variable, labels: [Int], weights: Tensor? = nil, reduction: LossReduction = .mean
) -> Variable {
    let (count, classes) = classificationShape(logProbabilities.shape, labels: labels, weights: weights, loss: "negativeLogLikelihood")
    let classWeights = weights?.scalars ?? [Float](repeating: 1, count: classes)
    let losses = logProbabilities.value.withUnsafeBufferPointer { logp in
        (0..<count).map { -classWeights[labels[$0]] * logp[$0 * classes + labels[$0]] }
    }
    let normalizer = reduction == .mean ? labels.reduce(Float(0)) { $0 + classWeights[$1] } : 1
    return Variable.record(reduced(losses, reduction, normalizer: normalizer), name: "negativeLogLikelihood", inputs: [logProbabilities]) {
        gradient in
        var result = Tensor.zeros([count, classes])
        result.withUnsafeMutableBufferPointer { g in
            gradient.withUnsafeBufferPointer { upstream in
                for sample in 0..<count {
                    let scale = (reduction == .none ? upstream[sample] : upstream[0]) / normalizer
                    g[sample * classes + labels[sample]] = -classWeights[labels[sample]] * scale
                }
            }
        }
        return [result]
    }
}

/// Validates `[N, C]` scores against `N` labels and optional `[C]` weights.
private func classificationShape(_ shape: [Int], labels: [Int], weights: Tensor?, loss: String) -> (Int, Int) {
    precondition(shape.count == 2, "\(loss): scores must be [N, C], got \(shape)")
    let (count, classes) = (shape[0], shape[1])
    precondition(labels.count == count, "\(loss): \(labels.count) labels for \(count) samples")
    if let bad = labels.first(where: { !(0..<classes).contains($0) }) {
        preconditionFailure("\(loss): label \(bad) out of range 0..<\(classes)")
    }
    if let weights { precondition(weights.shape == [classes], "\(loss): weights must be [\(classes)], got \(weights.shape)") }
    return (count, classes)
}

/// Per-sample losses reduced: a rank-0 mean (divided by `normalizer`) or sum, or the `[N]` vector.
func reduced(_ losses: [Float], _ reduction: LossReduction, normalizer: Float) -> Tensor {
    switch reduction {
    case .none: Tensor(losses)
    case .sum: Tensor(losses.reduce(0, +))
    case .mean: Tensor(losses.reduce(0, +) / normalizer)
    }
}
