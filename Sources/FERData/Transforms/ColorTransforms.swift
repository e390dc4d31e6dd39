import CFERKernels
import FERTensor

/// ITU-R BT.601 luma of an RGB image, written to `gray` (height * width values).
func luma(_ rgb: UnsafeBufferPointer<Float>, plane: Int, into gray: UnsafeMutableBufferPointer<Float>) {
    for index in 0..<plane {
        gray[index] = 0.299 * rgb[index] + 0.587 * rgb[plane + index] + 0.114 * rgb[2 * plane + index]
    }
}

/// Removes saturation: blends an RGB image toward its grayscale version by a
/// strength drawn uniformly from `strength` (0 keeps the colours, 1 leaves
/// gray). Grayscale images pass through.
public struct Desaturate: ImageTransform {
    /// Range of the blend strength, within [0, 1].
    public var strength: ClosedRange<Float>

    /// Blends toward grayscale by a strength uniform in `strength`.
    public init(strength: ClosedRange<Float> = 0...1) {
        precondition(strength.lowerBound >= 0 && strength.upperBound <= 1, "Desaturate: strength must lie in [0, 1], got \(strength)")
        self.strength = strength
    }

    public func apply(_ image: Tensor, using generator: inout RandomGenerator) -> Tensor {
        let (channels, height, width) = ImageShape.of(image, in: "Desaturate")
        let amount = strength.lowerBound + (strength.upperBound - strength.lowerBound) * generator.nextUniform()
        guard channels == 3, amount > 0 else { return image }
        var result = image
        result.withUnsafeMutableBufferPointer { fer_desaturate($0.baseAddress!, height * width, amount) }
        return result
    }
}

/// Random brightness and contrast (torchvision's `ColorJitter` for those
/// two): brightness scales every value by a factor uniform in
/// [1 - brightness, 1 + brightness]; contrast blends with the mean gray level
/// by a factor uniform in [1 - contrast, 1 + contrast]. Results are clamped to [0, 1].
public struct ColorJitter: ImageTransform {
    /// Maximum relative change of brightness, >= 0.
    public var brightness: Float
    /// Maximum relative change of contrast, >= 0.
    public var contrast: Float

    /// Jitter of at most `brightness` and `contrast` (each >= 0).
    public init(brightness: Float = 0, contrast: Float = 0) {
        precondition(brightness >= 0 && contrast >= 0, "ColorJitter: amounts must be non-negative")
        self.brightness = brightness
        self.contrast = contrast
    }

    public func apply(_ image: Tensor, using generator: inout RandomGenerator) -> Tensor {
        let (channels, height, width) = ImageShape.of(image, in: "ColorJitter")
        let brightnessFactor = 1 + brightness * (2 * generator.nextUniform() - 1)
        let contrastFactor = Swift.max(0, 1 + contrast * (2 * generator.nextUniform() - 1))
        let plane = height * width
        var result = image
        result.withUnsafeMutableBufferPointer { pixels in
            for index in pixels.indices { pixels[index] = Swift.min(Swift.max(pixels[index] * brightnessFactor, 0), 1) }
            var gray = [Float](repeating: 0, count: plane)
            if channels == 3 {
                gray.withUnsafeMutableBufferPointer { luma(UnsafeBufferPointer(pixels), plane: plane, into: $0) }
            } else {
                for index in 0..<plane { gray[index] = pixels[index] }
            }
            let mean = gray.reduce(0, +) / Float(plane)
            for index in pixels.indices {
                pixels[index] = Swift.min(Swift.max(mean + contrastFactor * (pixels[index] - mean), 0), 1)
            }
        }
        return result
    }
}

/// Converts to grayscale (BT.601 luma), with 1 or 3 (repeated) output channels.
public struct Grayscale: ImageTransform {
    /// 1 or 3.
    public var outputChannels: Int

    /// Grayscale with `outputChannels` channels (1 or 3).
    public init(outputChannels: Int = 1) {
        precondition(outputChannels == 1 || outputChannels == 3, "Grayscale: outputChannels must be 1 or 3, got \(outputChannels)")
        self.outputChannels = outputChannels
    }

    public func apply(_ image: Tensor, using generator: inout RandomGenerator) -> Tensor {
        let (channels, height, width) = ImageShape.of(image, in: "Grayscale")
        let plane = height * width
        var result = Tensor.empty([outputChannels, height, width])
        image.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                let gray = UnsafeMutableBufferPointer(rebasing: target[0..<plane])
                if channels == 3 {
                    luma(source, plane: plane, into: gray)
                } else {
                    for index in 0..<plane { gray[index] = source[index] }
                }
                for channel in 1..<outputChannels {
                    for index in 0..<plane { target[channel * plane + index] = gray[index] }
                }
            }
        }
        return result
    }
}
