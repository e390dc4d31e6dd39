import CFERKernels

/// Per-channel work a convolution does on its output while that output is
/// still in cache: `relu?(output * scale[o] + shift[o] + residual)`.
///
/// Inference engines fold an evaluation-mode batch norm and the convolution's
/// bias into `scale` and `shift`, and a residual block's addition and ReLU
/// into the rest, so that conv + BN + add + ReLU is one pass over memory.
public struct ConvolutionEpilogue {
    /// Per-output-channel factor, `[O]`.
    public var scale: Tensor
    /// Per-output-channel offset, `[O]`.
    public var shift: Tensor
    /// Added after the affine step, shaped like the output; `nil` for none.
    public var residual: Tensor?
    /// Whether a ReLU comes last.
    public var appliesReLU: Bool

    /// `relu?(output * scale + shift + residual)`.
    public init(scale: Tensor, shift: Tensor, residual: Tensor? = nil, appliesReLU: Bool = false) {
        self.scale = scale
        self.shift = shift
        self.residual = residual
        self.appliesReLU = appliesReLU
    }

    /// Adding a bias `[O]` (what `conv2d(_:weight:bias:)` does).
    public init(bias: Tensor) {
        self.init(scale: Tensor.ones(bias.shape), shift: bias)
    }

    /// An evaluation-mode batch norm after a convolution with `bias`:
    /// `scale = gamma / sqrt(var + eps)`, `shift = beta + (bias - mean) * scale`.
    public static func batchNorm(
        weight: Tensor?, bias: Tensor?, runningMean: Tensor, runningVariance: Tensor, epsilon: Float,
        convolutionBias: Tensor? = nil, residual: Tensor? = nil, appliesReLU: Bool = false
    ) -> ConvolutionEpilogue {
        let (scale, shift) = Tensor.batchNormAffine(
            weight: weight, bias: bias, mean: runningMean, variance: runningVariance, epsilon: epsilon)
        let foldedShift = convolutionBias.map { shift + $0 * scale } ?? shift
        return ConvolutionEpilogue(scale: scale, shift: foldedShift, residual: residual, appliesReLU: appliesReLU)
    }

    /// Checks the shapes against an output `outputShape`.
    func validate(outputShape: [Int], operation: String) {
        let channels = outputShape[1]
        precondition(
            scale.shape == [channels] && shift.shape == [channels],
            "\(operation): epilogue scale \(scale.shape) and shift \(shift.shape) must be [\(channels)]")
        if let residual {
            precondition(
                residual.shape == outputShape,
                "\(operation): residual \(residual.shape) must match the output \(outputShape)")
        }
    }

    /// Applies the epilogue in place to `planes` (sample * channels + channel) of `output`.
    func apply(to output: UnsafeMutablePointer<Float>, channels: Int, spatial: Int, planes: Range<Int>) {
        fer_channel_affine(
            output, scale.storage.base, shift.storage.base, residual?.storage.base, output, channels, spatial,
            appliesReLU ? 1 : 0, planes.lowerBound, planes.upperBound)
    }
}

extension Tensor {
    /// Evaluation-mode batch norm as a per-channel affine map:
    /// `scale = gamma / sqrt(variance + epsilon)`, `shift = beta - mean * scale`
    /// (gamma 1 and beta 0 when `nil`).
    public static func batchNormAffine(
        weight: Tensor?, bias: Tensor?, mean: Tensor, variance: Tensor, epsilon: Float
    ) -> (scale: Tensor, shift: Tensor) {
        let inverse = (variance + epsilon).rsqrt()
        let scale = weight.map { $0 * inverse } ?? inverse
        let shift = (bias ?? Tensor.zeros(mean.shape)) - mean * scale
        return (scale, shift)
    }
}
