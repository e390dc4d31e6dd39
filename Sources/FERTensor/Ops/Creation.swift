extension Tensor {
    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, repeating: 0)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, repeating: 1)
    }

    /// A tensor with every element equal to `value`.
    public static func full(_ shape: [Int], value: Float) -> Tensor {
        Tensor(shape: shape, repeating: value)
    }

    /// A tensor of zeros shaped like `other`.
    public static func zeros(like other: Tensor) -> Tensor {
        zeros(other.shape)
    }

    /// `[start, start + step, ...]` up to but excluding `end`, as `torch.arange`.
    ///
    /// - Precondition: `step` is non-zero.
    public static func arange(from start: Float = 0, to end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange: step must be non-zero")
        let count = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        var result = Tensor.empty([count])
        result.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices { buffer[index] = start + Float(index) * step }
        }
        return result
    }

    /// Samples from the normal distribution with the given mean and standard deviation.
    public static func randomNormal(
        _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using generator: inout RandomGenerator
    ) -> Tensor {
        var result = Tensor.empty(shape)
        result.withUnsafeMutableBufferPointer { generator.fillNormal($0, mean: mean, standardDeviation: standardDeviation) }
        return result
    }

    /// Samples uniformly from `[low, high)`.
    public static func randomUniform(
        _ shape: [Int], low: Float = 0, high: Float = 1, using generator: inout RandomGenerator
    ) -> Tensor {
        var result = Tensor.empty(shape)
        result.withUnsafeMutableBufferPointer { generator.fillUniform($0, low: low, high: high) }
        return result
    }
}
