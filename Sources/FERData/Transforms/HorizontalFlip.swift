import CFERKernels
import FERTensor

/// Mirrors the image left to right with probability `probability`.
public struct HorizontalFlip: ImageTransform {
    /// Chance of flipping, in [0, 1].
    public var probability: Float

    /// Flips with probability `probability` (1 always flips).
    public init(probability: Float = 0.5) {
        precondition((0...1).contains(probability), "HorizontalFlip: probability must be in [0, 1], got \(probability)")
        self.probability = probability
    }

    public func apply(_ image: Tensor, using generator: inout RandomGenerator) -> Tensor {
        let (channels, height, width) = ImageShape.of(image, in: "HorizontalFlip")
        guard generator.nextUniform() < probability else { return image }
        var result = Tensor.empty(image.shape)
        image.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { fer_mirror_rows(source.baseAddress!, $0.baseAddress!, channels * height, width) }
        }
        return result
    }
}
