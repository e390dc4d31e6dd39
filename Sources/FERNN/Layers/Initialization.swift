import FERTensor

/// Weight initialisers with PyTorch's formulas (`torch.nn.init`).
///
/// Fan-in and fan-out follow PyTorch: for a weight of shape
/// `[out, in, k...]`, fan-in is `in * prod(k)` and fan-out is `out * prod(k)`.
public enum Initialization {
    /// Which fan a Kaiming initialiser preserves the variance of.
    public enum FanMode: Sendable {
        case fanIn, fanOut
    }

    /// Fan-in and fan-out of a weight shape, as `torch.nn.init._calculate_fan_in_and_fan_out`.
    ///
    /// - Precondition: rank 2 or more.
    public static func fans(of shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(shape.count >= 2, "Initialization.fans: weight shape \(shape) needs rank 2 or more")
        let receptiveField = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptiveField, shape[0] * receptiveField)
    }

    /// Gain for ReLU layers (`sqrt(2)`), or for leaky ReLU with the given negative slope.
    public static func reluGain(negativeSlope: Float = 0) -> Float {
        (2 / (1 + negativeSlope * negativeSlope)).squareRoot()
    }

    /// Kaiming (He) uniform: `U(-b, b)` with `b = gain * sqrt(3 / fan)`.
    /// PyTorch's default for Conv and Linear weights uses `negativeSlope = sqrt(5)`.
    public static func kaimingUniform(
        _ shape: [Int], negativeSlope: Float = 0, mode: FanMode = .fanIn, using generator: inout RandomGenerator
    ) -> Tensor {
        let bound = reluGain(negativeSlope: negativeSlope) * (3 / Float(fan(shape, mode))).squareRoot()
        return Tensor.randomUniform(shape, low: -bound, high: bound, using: &generator)
    }

    /// Kaiming (He) normal: `N(0, gain / sqrt(fan))`. torchvision's ResNet uses
    /// it with `mode: .fanOut` for convolutions.
    public static func kaimingNormal(
        _ shape: [Int], negativeSlope: Float = 0, mode: FanMode = .fanIn, using generator: inout RandomGenerator
    ) -> Tensor {
        let deviation = reluGain(negativeSlope: negativeSlope) / Float(fan(shape, mode)).squareRoot()
        return Tensor.randomNormal(shape, standardDeviation: deviation, using: &generator)
    }

    /// Xavier (Glorot) uniform: `U(-b, b)` with `b = gain * sqrt(6 / (fanIn + fanOut))`.
    public static func xavierUniform(_ shape: [Int], gain: Float = 1, using generator: inout RandomGenerator) -> Tensor {
        let (fanIn, fanOut) = fans(of: shape)
        let bound = gain * (6 / Float(fanIn + fanOut)).squareRoot()
        return Tensor.randomUniform(shape, low: -bound, high: bound, using: &generator)
    }

    /// Xavier (Glorot) normal: `N(0, gain * sqrt(2 / (fanIn + fanOut)))`.
    public static func xavierNormal(_ shape: [Int], gain: Float = 1, using generator: inout RandomGenerator) -> Tensor {
        let (fanIn, fanOut) = fans(of: shape)
        return Tensor.randomNormal(shape, standardDeviation: gain * (2 / Float(fanIn + fanOut)).squareRoot(), using: &generator)
    }

    /// A (semi-)orthogonal matrix as `torch.nn.init.orthogonal_`: the Q of a
    /// QR decomposition of a normal matrix, signs fixed by R's diagonal, scaled
    /// by `gain`; shapes of rank > 2 are flattened to `[shape[0], rest]`.
    ///
    /// - Throws: `LinearAlgebraError` if LAPACK fails.
    public static func orthogonal(_ shape: [Int], gain: Float = 1, using generator: inout RandomGenerator) throws -> Tensor {
        precondition(shape.count >= 2, "Initialization.orthogonal: shape \(shape) needs rank 2 or more")
        let rows = shape[0], columns = shape.dropFirst().reduce(1, *)
        // Decompose the tall orientation so that Q has orthonormal columns.
        let tall = rows < columns
        let normal = Tensor.randomNormal(tall ? [columns, rows] : [rows, columns], using: &generator)
        let (q, r) = try LinearAlgebra.qr(normal)
        let width = q.shape[1]
        var signed = q
        signed.withUnsafeMutableBufferPointer { values in
            r.withUnsafeBufferPointer { triangle in
                for column in 0..<width where triangle[column * r.shape[1] + column] < 0 {
                    for row in 0..<q.shape[0] { values[row * width + column] = -values[row * width + column] }
                }
            }
        }
        let oriented = tall ? signed.transposed() : signed
        return (oriented * gain).reshaped(shape)
    }

    private static func fan(_ shape: [Int], _ mode: FanMode) -> Int {
        let (fanIn, fanOut) = fans(of: shape)
        return mode == .fanIn ? fanIn : fanOut
    }
}
