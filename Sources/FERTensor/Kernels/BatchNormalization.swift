import CFERKernels

/// Per-channel statistics of a batch, as batch normalisation computes them.
public struct ChannelStatistics {
    /// Mean over batch and space, `[C]`.
    public var mean: Tensor
    /// Biased variance over batch and space, `[C]` (PyTorch normalises with this one).
    public var variance: Tensor
}

/// Gradients of training-mode batch normalisation.
public struct BatchNormGradients {
    /// Gradient with respect to the input, `[N, C, ...]`.
    public var input: Tensor
    /// Gradient with respect to the scale (gamma), `[C]`.
    public var weight: Tensor
    /// Gradient with respect to the shift (beta), `[C]`.
    public var bias: Tensor
}

extension Tensor {
    /// Batch, channels and elements per plane of an `[N, C, ...]` tensor.
    private static func channelLayout(_ shape: [Int], _ operation: String) -> (batch: Int, channels: Int, spatial: Int) {
        precondition(shape.count >= 2, "\(operation): input must be [N, C, ...], got \(shape)")
        return (shape[0], shape[1], shape.dropFirst(2).reduce(1, *))
    }

    /// Mean and biased variance of each channel of `[N, C, ...]` over all other axes.
    public static func channelStatistics(_ input: Tensor) -> ChannelStatistics {
        let (batch, channels, spatial) = channelLayout(input.shape, "channelStatistics")
        let mean = Tensor.empty([channels]), variance = Tensor.empty([channels])
        let x = input.storage.base, m = mean.storage.base, v = variance.storage.base
        Parallel.forRanges(channels, minimumChunk: planeChunk(batch * spatial)) { _, range in
            fer_batch_norm_statistics(x, batch, channels, spatial, m, v, range.lowerBound, range.upperBound)
        }
        return withExtendedLifetime(input) { ChannelStatistics(mean: mean, variance: variance) }
    }

    /// `y = x * scale[c] + shift[c]` on `[N, C, ...]`, optionally followed by
    /// ReLU: batch norm's normalisation and affine step in one pass (with
    /// `scale = gamma / sqrt(var + eps)`, `shift = beta - mean * scale`).
    public static func channelAffine(_ input: Tensor, scale: Tensor, shift: Tensor, relu: Bool = false) -> Tensor {
        let (batch, channels, spatial) = channelLayout(input.shape, "channelAffine")
        precondition(
            scale.shape == [channels] && shift.shape == [channels],
            "channelAffine: scale \(scale.shape) and shift \(shift.shape) must be [\(channels)]")
        let output = Tensor.empty(input.shape)
        let x = input.storage.base, a = scale.storage.base, b = shift.storage.base, y = output.storage.base
        Parallel.forRanges(batch * channels, minimumChunk: planeChunk(spatial)) { _, range in
            fer_channel_affine(x, a, b, nil, y, channels, spatial, relu ? 1 : 0, range.lowerBound, range.upperBound)
        }
        return withExtendedLifetime((input, scale, shift)) { output }
    }

    /// Batch normalisation in training mode on `[N, C, ...]`: normalises with
    /// the batch's own statistics, which it also returns (for running averages
    /// and the backward pass). With `relu`, a ReLU follows in the same pass.
    public static func batchNormTraining(
        _ input: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5, relu: Bool = false
    ) -> (output: Tensor, statistics: ChannelStatistics, inverseStandardDeviation: Tensor) {
        let statistics = channelStatistics(input)
        let channels = input.shape[1]
        let inverse = Tensor.empty([channels]), scale = Tensor.empty([channels]), shift = Tensor.empty([channels])
        for channel in 0..<channels {
            let invstd = 1 / (statistics.variance.storage.base[channel] + epsilon).squareRoot()
            let gamma = weight.map { $0.storage.base[channel] } ?? 1
            let beta = bias.map { $0.storage.base[channel] } ?? 0
            inverse.storage.base[channel] = invstd
            scale.storage.base[channel] = gamma * invstd
            shift.storage.base[channel] = beta - statistics.mean.storage.base[channel] * gamma * invstd
        }
        let output = channelAffine(input, scale: scale, shift: shift, relu: relu)
        return (output, statistics, inverse)
    }

    /// Gradients of training-mode batch normalisation.
    ///
    /// - Parameters:
    ///   - outputGradient: `[N, C, ...]`.
    ///   - input: the forward input.
    ///   - mean, inverseStandardDeviation: what `batchNormTraining` returned.
    ///   - weight: gamma `[C]`, or `nil` for no affine scale.
    ///   - reluOutput: when the forward pass applied ReLU (`relu: true`), its
    ///     output; the gradient then flows only where it is positive.
    public static func batchNormTrainingBackward(
        _ outputGradient: Tensor, input: Tensor, mean: Tensor, inverseStandardDeviation: Tensor, weight: Tensor?,
        reluOutput: Tensor? = nil
    ) -> BatchNormGradients {
        let (batch, channels, spatial) = channelLayout(input.shape, "batchNormTrainingBackward")
        precondition(outputGradient.shape == input.shape, "batchNormTrainingBackward: gradient \(outputGradient.shape) vs input \(input.shape)")
        precondition(reluOutput == nil || reluOutput!.shape == input.shape, "batchNormTrainingBackward: ReLU output \(reluOutput!.shape) vs input \(input.shape)")
        let mask = reluOutput.map { UnsafePointer($0.storage.base) }
        let sumGradient = Tensor.empty([channels]), sumWeighted = Tensor.empty([channels])
        let dy = outputGradient.storage.base, x = input.storage.base
        let mu = mean.storage.base, invstd = inverseStandardDeviation.storage.base
        Parallel.forRanges(channels, minimumChunk: planeChunk(batch * spatial)) { _, range in
            fer_batch_norm_backward_reduce(
                dy, mask, x, mu, invstd, batch, channels, spatial,
                sumGradient.storage.base, sumWeighted.storage.base, range.lowerBound, range.upperBound)
        }
        let inputGradient = Tensor.empty(input.shape)
        let gamma = weight.map { UnsafePointer($0.storage.base) }
        Parallel.forRanges(batch * channels, minimumChunk: planeChunk(spatial)) { _, range in
            fer_batch_norm_backward_input(
                dy, mask, x, mu, invstd, gamma, sumGradient.storage.base, sumWeighted.storage.base,
                batch, channels, spatial, inputGradient.storage.base, range.lowerBound, range.upperBound)
        }
        return withExtendedLifetime((outputGradient, input, mean, inverseStandardDeviation, weight, reluOutput)) {
            BatchNormGradients(input: inputGradient, weight: sumWeighted, bias: sumGradient)
        }
    }
}
