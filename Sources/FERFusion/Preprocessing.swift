import FERTensor

/// How images become model input: a square side and per-channel
/// normalisation, recorded in a saved model so that prediction prepares
/// images exactly as training did.
public struct Preprocessing: Codable, Equatable, Sendable {
    /// Side of the square input, in pixels.
    public var size: Int
    /// Per-channel mean subtracted from pixel values in [0, 1].
    public var mean: [Float]
    /// Per-channel standard deviation divided by after the mean.
    public var standardDeviation: [Float]

    /// Input of `size` x `size` normalised with `mean` and `standardDeviation`.
    public init(size: Int, mean: [Float], standardDeviation: [Float]) {
        precondition(size > 0 && mean.count == standardDeviation.count && !mean.isEmpty,
                     "Preprocessing: size \(size) must be positive and mean/std one value per channel")
        precondition(mean.allSatisfy(\.isFinite) && standardDeviation.allSatisfy { $0.isFinite && $0 > 0 },
                     "Preprocessing: mean must be finite and standard deviations positive, got \(mean) and \(standardDeviation)")
        self.size = size
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// ImageNet's RGB statistics (what torchvision's pretrained backbones expect).
    public static func imageNet(size: Int) -> Preprocessing {
        Preprocessing(size: size, mean: [0.485, 0.456, 0.406], standardDeviation: [0.229, 0.224, 0.225])
    }

    /// Number of channels the model reads.
    public var channels: Int { mean.count }

    /// `images` `[N, C, H, W]` with values in [0, 1], resized bilinearly to
    /// `size` if needed (shrink with an antialiased resize first, e.g. FERData's
    /// `Resize`, for best quality) and normalised.
    public func apply(_ images: Tensor) -> Tensor {
        precondition(
            images.rank == 4 && images.shape[1] == channels,
            "Preprocessing: images must be [N, \(channels), H, W], got \(images.shape)")
        let sized = images.shape[2] == size && images.shape[3] == size
            ? images : Tensor.resize(images, to: Size2D(height: size, width: size), mode: .bilinear())
        let shape = [1, channels, 1, 1]
        return (sized - Tensor(shape: shape, scalars: mean)) / Tensor(shape: shape, scalars: standardDeviation)
    }
}
