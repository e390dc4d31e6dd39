import CFERKernels

/// How `resized` interpolates (as `torch.nn.functional.interpolate`'s `mode`).
public enum ResizeMode: Equatable, Sendable {
    /// PyTorch's "nearest": source index `floor(dst * in / out)`.
    case nearest
    /// Bilinear; `alignCorners` as PyTorch's `align_corners` (default false).
    case bilinear(alignCorners: Bool = false)
}

extension Tensor {
    /// Resizes the planes of `[N, C, H, W]` to `size` (no antialiasing, as
    /// PyTorch's `interpolate`; image pipelines antialias in FERData).
    public static func resize(_ input: Tensor, to size: Size2D, mode: ResizeMode) -> Tensor {
        precondition(input.rank == 4, "resize: input must be [N, C, H, W], got \(input.shape)")
        precondition(size.height > 0 && size.width > 0, "resize: size \(size) must be positive")
        let (height, width) = (input.shape[2], input.shape[3])
        let output = Tensor.empty([input.shape[0], input.shape[1], size.height, size.width])
        let x = input.storage.base, y = output.storage.base
        Parallel.forRanges(input.shape[0] * input.shape[1], minimumChunk: planeChunk(size.height * size.width)) { _, range in
            switch mode {
            case .nearest:
                fer_resize_nearest_forward(x, y, height, width, size.height, size.width, range.lowerBound, range.upperBound)
            case .bilinear(let alignCorners):
                fer_resize_bilinear_forward(
                    x, y, height, width, size.height, size.width, alignCorners ? 1 : 0, range.lowerBound, range.upperBound)
            }
        }
        return withExtendedLifetime(input) { output }
    }

    /// Gradient of `resize` with respect to its input of shape `inputShape`.
    public static func resizeBackward(_ outputGradient: Tensor, inputShape: [Int], mode: ResizeMode) -> Tensor {
        precondition(inputShape.count == 4, "resizeBackward: input shape must be [N, C, H, W], got \(inputShape)")
        precondition(
            outputGradient.rank == 4 && outputGradient.shape[0] == inputShape[0] && outputGradient.shape[1] == inputShape[1],
            "resizeBackward: output gradient \(outputGradient.shape) does not match input \(inputShape)")
        let (outHeight, outWidth) = (outputGradient.shape[2], outputGradient.shape[3])
        let inputGradient = Tensor.empty(inputShape)
        let dy = outputGradient.storage.base, dx = inputGradient.storage.base
        Parallel.forRanges(inputShape[0] * inputShape[1], minimumChunk: planeChunk(outHeight * outWidth)) { _, range in
            switch mode {
            case .nearest:
                fer_resize_nearest_backward(
                    dy, dx, inputShape[2], inputShape[3], outHeight, outWidth, range.lowerBound, range.upperBound)
            case .bilinear(let alignCorners):
                fer_resize_bilinear_backward(
                    dy, dx, inputShape[2], inputShape[3], outHeight, outWidth, alignCorners ? 1 : 0,
                    range.lowerBound, range.upperBound)
            }
        }
        return withExtendedLifetime(outputGradient) { inputGradient }
    }
}
