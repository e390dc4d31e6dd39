import Foundation
import FERTensor

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
        let cosine = Float(cos(radians)), sine = Float(sin(radians))
        let centerX = Float(width - 1) / 2, centerY = Float(height - 1) / 2
        var result = Tensor.empty(image.shape)
        image.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for row in 0..<height {
                    let dy = Float(row) - centerY
                    for column in 0..<width {
                        let dx = Float(column) - centerX
                        // The source point that lands here: the inverse rotation of (dx, dy).
                        let x = centerX + cosine * dx - sine * dy
                        let y = centerY + sine * dx + cosine * dy
                        for channel in 0..<channels {
                            target[(channel * height + row) * width + column] = sample(
                                source.baseAddress! + channel * height * width, width: width, height: height, x: x, y: y)
                        }
                    }
                }
            }
        }
        return result

        func sample(_ plane: UnsafePointer<Float>, width: Int, height: Int, x: Float, y: Float) -> Float {
            let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
            let fx = x - Float(x0), fy = y - Float(y0)
            func pixel(_ px: Int, _ py: Int) -> Float {
                if px >= 0 && px < width && py >= 0 && py < height { return plane[py * width + px] }
                switch border {
                case .constant(let value): return value
                case .replicate: return plane[Swift.min(Swift.max(py, 0), height - 1) * width + Swift.min(Swift.max(px, 0), width - 1)]
                }
            }
            let top = pixel(x0, y0) * (1 - fx) + pixel(x0 + 1, y0) * fx
            let bottom = pixel(x0, y0 + 1) * (1 - fx) + pixel(x0 + 1, y0 + 1) * fx
            return top * (1 - fy) + bottom * fy
        }
    }
}
