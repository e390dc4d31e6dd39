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
            result.withUnsafeMutableBufferPointer { target in
                for row in 0..<(channels * height) {
                    let input = source.baseAddress! + row * width
                    let output = target.baseAddress! + row * width
                    for column in 0..<width { output[column] = input[width - 1 - column] }
                }
            }
        }
        return result
    }
}
