import Foundation
import FERTensor

/// Erases a random rectangle with probability `probability` (torchvision's
/// `RandomErasing`): area a uniform fraction in `scale` of the image, aspect
/// ratio log-uniform in `ratio`, filled with `value`; up to 10 draws to find
/// a rectangle that fits.
public struct RandomErasing: ImageTransform {
    /// Chance of erasing, in [0, 1].
    public var probability: Float
    /// Range of the erased fraction of the image area.
    public var scale: ClosedRange<Float>
    /// Range of the rectangle's height / width.
    public var ratio: ClosedRange<Float>
    /// Fill value.
    public var value: Float

    /// Erasing with torchvision's defaults.
    public init(probability: Float = 0.5, scale: ClosedRange<Float> = 0.02...0.33,
                ratio: ClosedRange<Float> = 0.3...3.3, value: Float = 0) {
        precondition((0...1).contains(probability), "RandomErasing: probability must be in [0, 1], got \(probability)")
        precondition(scale.lowerBound > 0 && scale.upperBound <= 1 && ratio.lowerBound > 0, "RandomErasing: invalid scale or ratio")
        self.probability = probability
        self.scale = scale
        self.ratio = ratio
        self.value = value
    }

    public func apply(_ image: Tensor, using generator: inout RandomGenerator) -> Tensor {
        let (channels, height, width) = ImageShape.of(image, in: "RandomErasing")
        guard generator.nextUniform() < probability else { return image }
        let area = Float(height * width)
        for _ in 0..<10 {
            let target = area * (scale.lowerBound + (scale.upperBound - scale.lowerBound) * generator.nextUniform())
            let logRatio = log(ratio.lowerBound) + (log(ratio.upperBound) - log(ratio.lowerBound)) * generator.nextUniform()
            let aspect = exp(logRatio)
            let eraseHeight = Int((target * aspect).squareRoot().rounded())
            let eraseWidth = Int((target / aspect).squareRoot().rounded())
            guard eraseHeight > 0, eraseWidth > 0, eraseHeight < height, eraseWidth < width else { continue }
            let top = Int(generator.next() % UInt64(height - eraseHeight + 1))
            let left = Int(generator.next() % UInt64(width - eraseWidth + 1))
            var result = image
            result.withUnsafeMutableBufferPointer { pixels in
                for channel in 0..<channels {
                    for row in top..<(top + eraseHeight) {
                        let start = (channel * height + row) * width + left
                        for index in start..<(start + eraseWidth) { pixels[index] = value }
                    }
                }
            }
            return result
        }
        return image
    }
}
