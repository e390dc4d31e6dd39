import FERTensor

/// Crops the central `height` x `width` region (rounding the offset down).
public struct CenterCrop: ImageTransform {
    /// Output rows.
    public var height: Int
    /// Output columns.
    public var width: Int

    /// Crops to `height` x `width` around the centre.
    public init(height: Int, width: Int) {
        precondition(height > 0 && width > 0, "CenterCrop: size must be positive, got \(height)x\(width)")
        self.height = height
        self.width = width
    }

    public func apply(_ image: Tensor, using generator: inout RandomGenerator) -> Tensor {
        let (_, inputHeight, inputWidth) = ImageShape.of(image, in: "CenterCrop")
        precondition(height <= inputHeight && width <= inputWidth,
                     "CenterCrop: \(height)x\(width) does not fit in a \(inputHeight)x\(inputWidth) image")
        return crop(image, top: (inputHeight - height) / 2, left: (inputWidth - width) / 2, height: height, width: width)
    }
}

/// Crops a `height` x `width` region at a uniformly random position, after
/// padding every side by `padding` pixels of `fill` (torchvision's `RandomCrop`).
public struct RandomCrop: ImageTransform {
    /// Output rows.
    public var height: Int
    /// Output columns.
    public var width: Int
    /// Pixels added on each side before cropping.
    public var padding: Int
    /// Value of the padded pixels.
    public var fill: Float

    /// Random `height` x `width` crops of the image padded by `padding`.
    public init(height: Int, width: Int, padding: Int = 0, fill: Float = 0) {
        precondition(height > 0 && width > 0 && padding >= 0, "RandomCrop: invalid size \(height)x\(width) or padding \(padding)")
        self.height = height
        self.width = width
        self.padding = padding
        self.fill = fill
    }

    public func apply(_ image: Tensor, using generator: inout RandomGenerator) -> Tensor {
        let (channels, inputHeight, inputWidth) = ImageShape.of(image, in: "RandomCrop")
        let paddedHeight = inputHeight + 2 * padding, paddedWidth = inputWidth + 2 * padding
        precondition(height <= paddedHeight && width <= paddedWidth,
                     "RandomCrop: \(height)x\(width) does not fit in a \(paddedHeight)x\(paddedWidth) padded image")
        let top = Int(generator.next() % UInt64(paddedHeight - height + 1)) - padding
        let left = Int(generator.next() % UInt64(paddedWidth - width + 1)) - padding
        var result = Tensor(shape: [channels, height, width], repeating: fill)
        image.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for channel in 0..<channels {
                    for row in 0..<height where (0..<inputHeight).contains(top + row) {
                        for column in 0..<width where (0..<inputWidth).contains(left + column) {
                            target[(channel * height + row) * width + column] =
                                source[(channel * inputHeight + top + row) * inputWidth + left + column]
                        }
                    }
                }
            }
        }
        return result
    }
}

/// The `height` x `width` region of `image` whose top-left pixel is (`top`, `left`); it must lie inside.
func crop(_ image: Tensor, top: Int, left: Int, height: Int, width: Int) -> Tensor {
    let (channels, inputHeight, inputWidth) = (image.shape[0], image.shape[1], image.shape[2])
    var result = Tensor.empty([channels, height, width])
    image.withUnsafeBufferPointer { source in
        result.withUnsafeMutableBufferPointer { target in
            for channel in 0..<channels {
                for row in 0..<height {
                    let input = source.baseAddress! + (channel * inputHeight + top + row) * inputWidth + left
                    let output = target.baseAddress! + (channel * height + row) * width
                    output.update(from: input, count: width)
                }
            }
        }
    }
    return result
}
