import FERTensor

/// Batch normalisation over the channel axis (axis 1), the shared logic of
/// `BatchNorm1d` and `BatchNorm2d`, as `torch.nn.BatchNorm*d`.
///
/// In training it normalises with the batch's statistics and updates the
/// running ones (`running = (1 - momentum) running + momentum batch`, with
/// the unbiased batch variance; a `nil` momentum keeps a cumulative average);
/// in evaluation it normalises with the running statistics.
public class BatchNorm: Module, UnaryLayer {
    public override class var propertyKeys: [String: String] {
        ["runningMean": "running_mean", "runningVariance": "running_var", "batchesTracked": "num_batches_tracked"]
    }

    /// Scale (gamma), ones at start; `nil` without affine parameters.
    public let weight: Parameter?
    /// Shift (beta), zeros at start; `nil` without affine parameters.
    public let bias: Parameter?
    /// Running mean, `[C]`.
    public let runningMean: Buffer
    /// Running (unbiased) variance, `[C]`.
    public let runningVariance: Buffer
    /// Number of training batches seen (PyTorch's `num_batches_tracked`), rank 0.
    public let batchesTracked: Buffer
    /// Weight of a new batch in the running statistics, or `nil` for a cumulative average.
    public let momentum: Float?
    /// Added to the variance before the square root.
    public let epsilon: Float
    /// The input ranks the layer accepts.
    let acceptedRanks: Set<Int>

    init(featureCount: Int, epsilon: Float, momentum: Float?, affine: Bool, acceptedRanks: Set<Int>) {
        precondition(featureCount > 0, "BatchNorm: feature count must be positive, got \(featureCount)")
        weight = affine ? Parameter(Tensor.ones([featureCount])) : nil
        bias = affine ? Parameter(Tensor.zeros([featureCount])) : nil
        runningMean = Buffer(Tensor.zeros([featureCount]))
        runningVariance = Buffer(Tensor.ones([featureCount]))
        batchesTracked = Buffer(Tensor(0))
        self.momentum = momentum
        self.epsilon = epsilon
        self.acceptedRanks = acceptedRanks
        super.init()
    }

    /// Number of channels.
    public var featureCount: Int { runningMean.value.count }

    /// Normalises `input` `[N, C, ...]`.
    public func callAsFunction(_ input: Variable) -> Variable {
        callAsFunction(input, applyingReLU: false)
    }

    /// Normalises `input` `[N, C, ...]` and, with `applyingReLU`, applies
    /// ReLU in the same pass: `relu(bn(x))` without the intermediate tensor.
    public func callAsFunction(_ input: Variable, applyingReLU: Bool) -> Variable {
        precondition(
            acceptedRanks.contains(input.rank) && input.shape[1] == featureCount,
            "\(type(of: self)): input \(input.shape) must have rank \(acceptedRanks.sorted()) and \(featureCount) channels")
        var factor = momentum ?? 0
        if isTraining {
            batchesTracked.value = Tensor(batchesTracked.value.item + 1)
            if momentum == nil { factor = 1 / batchesTracked.value.item }
        }
        let result = Variable.batchNorm(
            input, weight: weight?.variable, bias: bias?.variable, runningMean: runningMean.value,
            runningVariance: runningVariance.value, training: isTraining, momentum: factor, epsilon: epsilon,
            applyingReLU: applyingReLU)
        runningMean.value = result.runningMean
        runningVariance.value = result.runningVariance
        return result.output
    }
}

/// Batch normalisation of `[N, C]` or `[N, C, L]` input, as `torch.nn.BatchNorm1d`.
public final class BatchNorm1d: BatchNorm {
    /// A layer for `featureCount` channels with PyTorch's defaults.
    public init(featureCount: Int, epsilon: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true) {
        super.init(featureCount: featureCount, epsilon: epsilon, momentum: momentum, affine: affine, acceptedRanks: [2, 3])
    }
}

/// Batch normalisation of `[N, C, H, W]` input, as `torch.nn.BatchNorm2d`.
public final class BatchNorm2d: BatchNorm {
    /// A layer for `featureCount` channels with PyTorch's defaults.
    public init(featureCount: Int, epsilon: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true) {
        super.init(featureCount: featureCount, epsilon: epsilon, momentum: momentum, affine: affine, acceptedRanks: [4])
    }
}
