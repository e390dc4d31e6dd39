import CFERKernels
import FERTensor
import Foundation

/// Rotates about the image centre by a uniformly random angle, sampling
/// bilinearly; positive angles turn the content counter-clockwise (as
/// torchvision's `RandomRotation`).
public struct RandomRotation: ImageTransform {
    /// What pixels that come from outside the source image take.
    public enum Border: Sendable, Equatable {
        /// A constant value in every channel.
        case constant(Float)
        /// The nearest edge pixel.
        case replicate
    }

    /// Range of the angle, in degrees.
    public var degrees: ClosedRange<Float>
    /// Fill for pixels outside the source.
    public var border: Border

    /// Rotations by angles uniform in `degrees`.
    public init(degrees: ClosedRange<Float>, border: Border = .constant(0)) {
        self.degrees = degrees
        self.border = border
    }

    public func apply(_ image: Tensor, using generator: inout RandomGenerator) -> Tensor {
        let angle = degrees.lowerBound + (degrees.upperBound - degrees.lowerBound) * generator.nextUniform()
        return Self.rotated(image, degrees: angle, border: border)
    }

    /// `image` rotated counter-clockwise by `degrees` about its centre.
    public static func rotated(_ image: Tensor, degrees: Float, border: Border) -> Tensor {
        let (channels, height, width) = ImageShape.of(image, in: "RandomRotation")
        if degrees == 0 { return image }
        let radians = Double(degrees) * .pi / 180
        var result = Tensor.empty(image.shape)
        let (replicate, fill): (Int32, Float) = switch border {
        case .constant(let value): (0, value)
        case .replicate: (1, 0)
        }
        image.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                fer_rotate_bilinear(
                    source.baseAddress!, target.baseAddress!, channels, height, width, Float(cos(radians)), Float(sin(radians)),
                    replicate, fill)
            }
        }
        return result
    }
}
