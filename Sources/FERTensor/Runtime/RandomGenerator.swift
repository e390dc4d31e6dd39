#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deterministic, splittable random number generator (Philox-4x32-10).
///
/// Philox is counter-based: the `n`-th output depends only on the key and
/// `n`, so streams can be split and skipped without correlation, and a seed
/// reproduces a run exactly. Every random operation in FERKit takes one of
/// these (or a seed), never a global generator.
public struct RandomGenerator: RandomNumberGenerator {
    private var key: (UInt32, UInt32)
    private var counter: UInt64 = 0
    private var block: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var blockPosition = 4

    /// A generator whose whole stream is fixed by `seed`.
    public init(seed: UInt64) {
        let mixed = RandomGenerator.splitMix(seed)
        key = (UInt32(truncatingIfNeeded: mixed), UInt32(truncatingIfNeeded: mixed >> 32))
    }

    /// A new generator for an independent sub-task; advances this one.
    ///
    /// Splitting the same generator state always gives the same child.
    public mutating func split() -> RandomGenerator {
        RandomGenerator(seed: next())
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let low = UInt64(nextWord())
        return low | UInt64(nextWord()) << 32
    }

    /// A uniform sample in `[0, 1)` with 24 random bits.
    public mutating func nextUniform() -> Float {
        Float(nextWord() >> 8) * 0x1p-24
    }

    /// A uniform sample in `(0, 1]`: safe to take the logarithm of.
    public mutating func nextPositiveUniform() -> Float {
        Float((nextWord() >> 8) + 1) * 0x1p-24
    }

    /// A standard normal sample (Box-Muller on two uniforms).
    public mutating func nextNormal() -> Float {
        let radius = (-2 * log(nextPositiveUniform())).squareRoot()
        return radius * cos(2 * .pi * nextUniform())
    }

    /// Fills `buffer` with uniform samples in `[low, high)`.
    public mutating func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>, low: Float, high: Float) {
        let width = high - low
        for index in buffer.indices {
            buffer[index] = low + width * nextUniform()
        }
    }

    /// Fills `buffer` with normal samples of the given mean and standard deviation.
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, mean: Float, standardDeviation: Float) {
        var index = 0
        while index < buffer.count {
            let radius = (-2 * log(nextPositiveUniform())).squareRoot()
            let angle = 2 * Float.pi * nextUniform()
            buffer[index] = mean + standardDeviation * radius * cos(angle)
            if index + 1 < buffer.count {
                buffer[index + 1] = mean + standardDeviation * radius * sin(angle)
            }
            index += 2
        }
    }

    private mutating func nextWord() -> UInt32 {
        if blockPosition == 4 {
            block = RandomGenerator.philox(counter: counter, key: key)
            counter &+= 1
            blockPosition = 0
        }
        defer { blockPosition += 1 }
        switch blockPosition {
        case 0: return block.0
        case 1: return block.1
        case 2: return block.2
        default: return block.3
        }
    }

    private static func philox(counter: UInt64, key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var c = (UInt32(truncatingIfNeeded: counter), UInt32(truncatingIfNeeded: counter >> 32), UInt32(0), UInt32(0))
        var k = key
        for _ in 0..<10 {
            let product0 = UInt64(0xD251_1F53) &* UInt64(c.0)
            let product1 = UInt64(0xCD9E_8D57) &* UInt64(c.2)
            c = (
                UInt32(truncatingIfNeeded: product1 >> 32) ^ c.1 ^ k.0,
                UInt32(truncatingIfNeeded: product1),
                UInt32(truncatingIfNeeded: product0 >> 32) ^ c.3 ^ k.1,
                UInt32(truncatingIfNeeded: product0)
            )
            k = (k.0 &+ 0x9E37_79B9, k.1 &+ 0xBB67_AE85)
        }
        return c
    }

    private static func splitMix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
