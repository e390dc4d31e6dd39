/// The element types of safetensors files that FERKit reads, each converted
/// to Float32 on load (integers and booleans by value: torchvision stores
/// `num_batches_tracked` and labels as I64).
enum SafetensorsDType: String, CaseIterable {
    case float64 = "F64"
    case float32 = "F32"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case int64 = "I64"
    case int32 = "I32"
    case int16 = "I16"
    case int8 = "I8"
    case uint8 = "U8"
    case bool = "BOOL"

    /// Bytes per element.
    var byteCount: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    /// Converts `target.count` little-endian elements of this type, read
    /// from `source` (any alignment), to Float32.
    ///
    /// - Precondition: `source.count == target.count * byteCount`.
    func decode(_ source: UnsafeRawBufferPointer, into target: UnsafeMutableBufferPointer<Float>) {
        precondition(source.count == target.count * byteCount, "SafetensorsDType.decode: byte count mismatch")
        switch self {
        case .float32:
            #if _endian(little)
            UnsafeMutableRawBufferPointer(target).copyMemory(from: source)
            #else
            convertElements(source, into: target, as: UInt32.self) { Float(bitPattern: $0) }
            #endif
        case .float64: convertElements(source, into: target, as: UInt64.self) { Float(Double(bitPattern: $0)) }
        case .float16: convertElements(source, into: target, as: UInt16.self, HalfPrecision.float(fromHalfBits:))
        case .bfloat16: convertElements(source, into: target, as: UInt16.self, HalfPrecision.float(fromBFloat16Bits:))
        case .int64: convertElements(source, into: target, as: Int64.self) { Float($0) }
        case .int32: convertElements(source, into: target, as: Int32.self) { Float($0) }
        case .int16: convertElements(source, into: target, as: Int16.self) { Float($0) }
        case .int8: convertElements(source, into: target, as: Int8.self) { Float($0) }
        case .uint8: convertElements(source, into: target, as: UInt8.self) { Float($0) }
        case .bool: convertElements(source, into: target, as: UInt8.self) { $0 == 0 ? 0 : 1 }
        }
    }
}

/// Reads each element of `source` as a little-endian `Raw` and stores `convert` of it.
@inline(__always)
private func convertElements<Raw: FixedWidthInteger>(
    _ source: UnsafeRawBufferPointer, into target: UnsafeMutableBufferPointer<Float>,
    as _: Raw.Type, _ convert: (Raw) -> Float
) {
    let stride = MemoryLayout<Raw>.size
    for index in target.indices {
        target[index] = convert(Raw(littleEndian: source.loadUnaligned(fromByteOffset: index * stride, as: Raw.self)))
    }
}
