import FERTensor

/// Squared error between `input` and a constant `target` of the same shape,
/// as `torch.nn.functional.mse_loss`.
public func meanSquaredError(_ input: Variable, target: Tensor, reduction: LossReduction = .mean) -> Variable {
    precondition(input.shape == target.shape, "meanSquaredError: input \(input.shape) and target \(target.shape) differ")
    let difference = input.value - target
    let squares = difference * difference
    let count = Float(Swift.max(1, input.value.count))
    let value: Tensor = switch reduction {
    case .none: squares
    case .sum: squares.sum()
    case .mean: squares.sum() / count
    }
    return Variable.record(value, name: "meanSquaredError", inputs: [input]) { gradient in
        switch reduction {
        case .none: [difference * gradient * 2]
        case .sum: [difference * (2 * gradient.item)]
        case .mean: [difference * (2 * gradient.item / count)]
        }
    }
}

/// Binary cross-entropy on logits against constant targets in [0, 1], as
/// `torch.nn.functional.binary_cross_entropy_with_logits`, computed stably:
/// `l = (1 - t) x + (1 + (pw - 1) t) softplus(-x)`, times `weight` if given.
///
/// - Parameters:
///   - positiveWeight: weight of positive examples, broadcast along the last axis (PyTorch's `pos_weight`).
///   - weight: per-element rescaling, broadcast to the input.
public func binaryCrossEntropyWithLogits(
    logits: Variable, targets: Tensor, weight: Tensor? = nil, positiveWeight: Tensor? = nil,
    reduction: LossReduction = .mean
) -> Variable {
    precondition(logits.shape == targets.shape, "binaryCrossEntropyWithLogits: logits \(logits.shape) and targets \(targets.shape) differ")
    let x = logits.value
    // softplus(-x) = max(-x, 0) + log(1 + exp(-|x|)), without overflow.
    let softplusNegative = (-x).relu() + ((-x.abs()).exp() + 1).log()
    let positiveScale = positiveWeight.map { ($0 - 1) * targets + 1 } ?? Tensor.ones(targets.shape)
    var losses = (1 - targets) * x + positiveScale * softplusNegative
    if let weight { losses = losses * weight }
    let count = Float(Swift.max(1, x.count))
    let value: Tensor = switch reduction {
    case .none: losses
    case .sum: losses.sum()
    case .mean: losses.sum() / count
    }
    return Variable.record(value, name: "binaryCrossEntropyWithLogits", inputs: [logits]) { gradient in
        // dl/dx = (1 - t) - scale * (1 - sigmoid(x)).
        var local = (1 - targets) - positiveScale * (1 - x.sigmoid())
        if let weight { local = local * weight }
        return switch reduction {
        case .none: [local * gradient]
        case .sum: [local * gradient.item]
        case .mean: [local * (gradient.item / count)]
        }
    }
}
