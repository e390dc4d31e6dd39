import CFERKernels
import FERTensor

/// An 8-bit image: rows top to bottom, channels interleaved (1 = grayscale,
/// 3 = RGB), as decoders produce and encoders take it.
///
/// Augmentation works on `tensor()`, a `[channels, height, width]` tensor
/// with values in [0, 1].
public struct Image: Sendable, Equatable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// 1 (grayscale) or 3 (RGB).
    public let channels: Int
    /// `height * width * channels` samples, row-major, channels interleaved.
    public var pixels: [UInt8]

    /// An image over `pixels`; the count must be `width * height * channels`.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "Image: size must be positive, got \(width)x\(height)")
        precondition(channels == 1 || channels == 3, "Image: channels must be 1 or 3, got \(channels)")
        precondition(pixels.count == width * height * channels,
                     "Image: \(pixels.count) samples for \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The sample at column `x`, row `y`, channel `channel`.
    public subscript(x: Int, y: Int, channel: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + channel] }
        set { pixels[(y * width + x) * channels + channel] = newValue }
    }

    /// `[channels, height, width]` with samples scaled to [0, 1].
    public func tensor() -> Tensor {
        var result = Tensor.empty([channels, height, width])
        pixels.withUnsafeBufferPointer { input in
            result.withUnsafeMutableBufferPointer { fer_image_bytes_to_planes(input.baseAddress!, $0.baseAddress!, width * height, channels) }
        }
        return result
    }

    /// The image of a `[channels, height, width]` tensor of values in [0, 1]
    /// (clamped, rounded to the nearest 8-bit level).
    public init(_ tensor: Tensor) {
        precondition(tensor.rank == 3 && (tensor.shape[0] == 1 || tensor.shape[0] == 3),
                     "Image: expected a [1 or 3, height, width] tensor, got \(tensor.shape)")
        let (channels, height, width) = (tensor.shape[0], tensor.shape[1], tensor.shape[2])
        let plane = width * height
        var pixels = [UInt8](repeating: 0, count: plane * channels)
        tensor.withUnsafeBufferPointer { input in
            for index in 0..<plane {
                for channel in 0..<channels {
                    let value = Swift.min(Swift.max(input[channel * plane + index], 0), 1)
                    pixels[index * channels + channel] = UInt8((value * 255).rounded())
                }
            }
        }
        self.init(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// This image with `channels` channels: RGB to grayscale by ITU-R BT.601
    /// luma (as PIL's `convert("L")`), grayscale to RGB by repetition.
    public func converted(toChannels target: Int) -> Image {
        precondition(target == 1 || target == 3, "Image: channels must be 1 or 3, got \(target)")
        if target == channels { return self }
        let count = width * height
        if target == 3 {
            var rgb = [UInt8](repeating: 0, count: count * 3)
            for index in 0..<count {
                let value = pixels[index]
                rgb[3 * index] = value
                rgb[3 * index + 1] = value
                rgb[3 * index + 2] = value
            }
            return Image(width: width, height: height, channels: 3, pixels: rgb)
        }
        var gray = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            let luma = (299 * Int(pixels[3 * index]) + 587 * Int(pixels[3 * index + 1]) + 114 * Int(pixels[3 * index + 2]) + 500) / 1000
            gray[index] = UInt8(luma)
        }
        return Image(width: width, height: height, channels: 1, pixels: gray)
    }
}
