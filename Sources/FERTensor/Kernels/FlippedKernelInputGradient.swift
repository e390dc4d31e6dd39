import CFERKernels

extension ConvolutionGeometry {
    /// Options of the forward convolution that computes this convolution's
    /// input gradient from `dY`, or `nil` where the column-matrix route
    /// (`Wᵀ·dY`, then col2im) is better. With stride 1, `dX` is `dY`
    /// correlated with the kernel flipped in space and with its channel axes
    /// swapped, at padding `dilation * (kernel - 1) - padding`: the lowering
    /// becomes an im2col and the GEMM's output the small `[C, H*W]` matrix,
    /// instead of a `[C*KH*KW, OH*OW]` product that col2im adds up again.
    /// Taken when the flipped convolution's columns are no larger (`O/groups`
    /// at most `C/groups`), windows are wider than 1x1, and the weight, which
    /// this route copies on every call, is small next to the column matrix
    /// that col2im would add up: `O/groups` at most a quarter of the batch's
    /// output positions. (ResNet18's layer4 at 100x100 and batch 32, 512
    /// channels against 512 positions, takes col2im: 0.71 -> 0.76 of sgemm,
    /// medians of 6 alternating rounds; its 9 MB weight is copied from memory.)
    var inputGradientConvolution: ConvolutionOptions? {
        let raw = window.raw
        guard raw.stride_height == 1, raw.stride_width == 1, window.taps > 1, !isDepthwise,
              groupOutputChannels <= groupInputChannels, 4 * groupOutputChannels <= batch * window.outputPlane
        else { return nil }
        let padding = Size2D(
            height: raw.dilation_height * (raw.kernel_height - 1) - raw.pad_height,
            width: raw.dilation_width * (raw.kernel_width - 1) - raw.pad_width)
        guard padding.height >= 0, padding.width >= 0 else { return nil }
        return ConvolutionOptions(
            stride: 1, padding: padding, dilation: Size2D(height: raw.dilation_height, width: raw.dilation_width),
            groups: groups)
    }
}

extension Tensor {
    /// The weight `[O, C/groups, KH, KW]` of a convolution rearranged into
    /// the weight `[C, O/groups, KH, KW]` of its adjoint: channel axes swapped
    /// within each group, taps reversed in both spatial axes.
    static func flippedAdjointKernel(_ weight: Tensor, groups: Int) -> Tensor {
        let shape = weight.shape
        let groupOut = shape[0] / groups, groupIn = shape[1], taps = shape[2] * shape[3]
        let flipped = Tensor.empty([groupIn * groups, groupOut, shape[2], shape[3]])
        let source = weight.storage.base, target = flipped.storage.base
        Parallel.forRanges(groups * groupIn, minimumChunk: Swift.max(1, 16_384 / (groupOut * taps))) { _, range in
            for row in range {
                let group = row / groupIn, channel = row % groupIn
                for output in 0..<groupOut {
                    let from = source + ((group * groupOut + output) * groupIn + channel) * taps
                    let to = target + (row * groupOut + output) * taps
                    for tap in 0..<taps { to[tap] = from[taps - 1 - tap] }
                }
            }
        }
        return withExtendedLifetime(weight) { flipped }
    }
}
