import FERTensor

/// Subtracts a per-channel mean and divides by a per-channel standard
/// deviation. Images with one channel use the mean of the given statistics.
public struct Normalize: ImageTransform {
    /// Per-channel means.
    public var mean: [Float]
    /// Per-channel standard deviations (positive).
    public var standardDeviation: [Float]

    /// Normalisation by `mean` and `standardDeviation` (same length, 1 or 3).
    public init(mean: [Float], standardDeviation: [Float]) {
        precondition(mean.count == standardDeviation.count && !mean.isEmpty, "Normalize: mean and standardDeviation must have the same non-zero length")
        precondition(standardDeviation.allSatisfy { $0 > 0 }, "Normalize: standard deviations must be positive")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// ImageNet's RGB statistics, as torchvision's pretrained models expect.
    public static let imageNet = Normalize(mean: [0.485, 0.456, 0.406], standardDeviation: [0.229, 0.224, 0.225])

    public func apply(_ image: Tensor, using generator: inout RandomGenerator) -> Tensor {
        let (channels, height, width) = ImageShape.of(image, in: "Normalize")
        let (means, deviations): ([Float], [Float])
        if channels == mean.count {
            (means, deviations) = (mean, standardDeviation)
        } else if channels == 1 {
            (means, deviations) = ([mean.reduce(0, +) / Float(mean.count)],
                                   [standardDeviation.reduce(0, +) / Float(standardDeviation.count)])
        } else {
            preconditionFailure("Normalize: statistics for \(mean.count) channels, image has \(channels)")
        }
        let plane = height * width
        var result = image
        result.withUnsafeMutableBufferPointer { pixels in
            for channel in 0..<channels {
                let shift = means[channel], scale = 1 / deviations[channel]
                for index in (channel * plane)..<((channel + 1) * plane) { pixels[index] = (pixels[index] - shift) * scale }
            }
        }
        return result
    }
}
