import FERTensor

/// Resizes to a fixed size with a triangle (bilinear) filter that widens
/// when shrinking, so downscaling averages every source pixel instead of
/// aliasing (PIL's `BILINEAR`, torchvision's `antialias=True`).
public struct Resize: ImageTransform {
    /// Output rows.
    public var height: Int
    /// Output columns.
    public var width: Int

    /// Resizes to `height` x `width`.
    public init(height: Int, width: Int) {
        precondition(height > 0 && width > 0, "Resize: size must be positive, got \(height)x\(width)")
        self.height = height
        self.width = width
    }

    public func apply(_ image: Tensor, using generator: inout RandomGenerator) -> Tensor {
        let (channels, inputHeight, inputWidth) = ImageShape.of(image, in: "Resize")
        if inputHeight == height && inputWidth == width { return image }
        let columnTaps = FilterTaps(input: inputWidth, output: width)
        let rowTaps = FilterTaps(input: inputHeight, output: height)
        var horizontal = Tensor.empty([channels, inputHeight, width])
        image.withUnsafeBufferPointer { source in
            horizontal.withUnsafeMutableBufferPointer { target in
                for row in 0..<(channels * inputHeight) {
                    let input = source.baseAddress! + row * inputWidth
                    let output = target.baseAddress! + row * width
                    for column in 0..<width { output[column] = columnTaps.sample(input, stride: 1, at: column) }
                }
            }
        }
        var result = Tensor.empty([channels, height, width])
        horizontal.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for channel in 0..<channels {
                    let input = source.baseAddress! + channel * inputHeight * width
                    let output = target.baseAddress! + channel * height * width
                    for row in 0..<height {
                        for column in 0..<width {
                            output[row * width + column] = rowTaps.sample(input + column, stride: width, at: row)
                        }
                    }
                }
            }
        }
        return result
    }
}

/// Per output index along one axis: the first source index and the
/// normalised triangle-filter weights of the source run it averages.
struct FilterTaps {
    private var starts: [Int] = []
    private var counts: [Int] = []
    /// Where each output index's weights begin in `weights`.
    private var offsets: [Int] = []
    private var weights: [Float] = []

    init(input: Int, output: Int) {
        let scale = Double(input) / Double(output)
        let filterScale = Swift.max(scale, 1)
        for index in 0..<output {
            let center = (Double(index) + 0.5) * scale
            let first = Swift.max(0, Int(center - filterScale + 0.5))
            let last = Swift.min(input, Int(center + filterScale + 0.5))
            let taps = (first..<last).map { Swift.max(0, 1 - abs((Double($0) - center + 0.5) / filterScale)) }
            let total = taps.reduce(0, +)
            starts.append(first)
            counts.append(taps.count)
            offsets.append(weights.count)
            weights += taps.map { Float(total > 0 ? $0 / total : $0) }
        }
    }

    /// The filtered value at output `index` of the source line at `line` (elements `stride` apart).
    @inline(__always)
    func sample(_ line: UnsafePointer<Float>, stride: Int, at index: Int) -> Float {
        var sum: Float = 0
        let start = starts[index], offset = offsets[index]
        for tap in 0..<counts[index] { sum += weights[offset + tap] * line[(start + tap) * stride] }
        return sum
    }
}
