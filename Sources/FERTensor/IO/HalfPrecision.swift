/// Bit-level conversions of 16-bit floating-point formats to Float32, exact
/// for every input: normal numbers, subnormals, signed zeros, infinities and
/// NaNs (whose payload is kept).
enum HalfPrecision {
    /// IEEE 754 binary16 (PyTorch `float16`, safetensors `F16`): 1 sign,
    /// 5 exponent (bias 15) and 10 mantissa bits.
    @inline(__always)
    static func float(fromHalfBits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0x1F:
            // Infinity or NaN: all-ones exponent, mantissa (NaN payload) kept.
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        case 0:
            // Zero or subnormal: mantissa · 2⁻²⁴, exact in Float32.
            let magnitude = Float(mantissa) * 0x1p-24
            return Float(bitPattern: sign | magnitude.bitPattern)
        default:
            // Normal: rebias the exponent from 15 to 127.
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }

    /// bfloat16 (safetensors `BF16`): the upper half of a Float32, so the
    /// conversion is a shift that keeps every class of value.
    @inline(__always)
    static func float(fromBFloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
