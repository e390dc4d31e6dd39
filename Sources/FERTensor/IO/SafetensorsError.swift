/// Why a safetensors file could not be read or written.
///
/// Every case names the file, and where it applies the tensor key, its
/// dtype, shape and data offsets (relative to the start of the data
/// section), and what was expected against what was found.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable {
    /// The file is shorter than the 8-byte header length.
    case fileTooShort(file: String, size: Int)
    /// The header length exceeds the sane limit (`SafetensorsArchive.maximumHeaderLength`).
    case headerLengthExceedsLimit(file: String, headerLength: UInt64, limit: Int)
    /// The header length exceeds the bytes that follow it in the file.
    case headerLengthExceedsFile(file: String, headerLength: UInt64, available: Int)
    /// The header is not valid JSON; `offset` is the byte offset in the file.
    case invalidJSON(file: String, offset: Int, reason: String)
    /// The header is valid JSON but not an object.
    case headerNotObject(file: String, found: String)
    /// A key occurs twice in one JSON object; `within` is the key of the
    /// enclosing entry, `nil` at the top level.
    case duplicateKey(file: String, key: String, within: String?)
    /// A tensor entry lacks `dtype`, `shape` or `data_offsets`.
    case missingField(file: String, key: String, field: String)
    /// A tensor entry (`field` empty), one of its fields, or the metadata
    /// has the wrong JSON type or value.
    case invalidField(file: String, key: String, field: String, expected: String, found: String)
    /// The dtype is not one FERKit converts to Float32.
    case unsupportedDType(file: String, key: String, dtype: String)
    /// The shape has a negative extent.
    case negativeExtent(file: String, key: String, shape: String)
    /// An extent, the element count or the byte count does not fit in `Int`.
    case shapeOverflow(file: String, key: String, shape: String, dtype: String)
    /// `data_offsets` has `begin > end`.
    case offsetsReversed(file: String, key: String, begin: Int, end: Int)
    /// `data_offsets` reaches past the end of the data section.
    case offsetsOutOfBounds(file: String, key: String, begin: Int, end: Int, dataLength: Int)
    /// Two tensors' byte ranges overlap.
    case offsetsOverlap(file: String, key: String, begin: Int, end: Int, otherKey: String, otherBegin: Int, otherEnd: Int)
    /// The byte range's length is not the dtype's size times the element count.
    case sizeMismatch(file: String, key: String, dtype: String, shape: [Int], expectedBytes: Int, foundBytes: Int)
    /// A tensor to be written is named `__metadata__`, which the format reserves.
    case reservedKey(file: String, key: String)
    /// A system call failed; `message` is the system's description of `errno`.
    case io(file: String, operation: String, message: String)

    /// One sentence saying what went wrong, where, and what was expected.
    public var description: String {
        switch self {
        case let .fileTooShort(file, size):
            return "\(file): file is \(size) bytes, expected at least 8 for the header length"
        case let .headerLengthExceedsLimit(file, headerLength, limit):
            return "\(file): header length \(headerLength) bytes exceeds the limit of \(limit) bytes"
        case let .headerLengthExceedsFile(file, headerLength, available):
            return "\(file): header length \(headerLength) bytes exceeds the \(available) bytes after it (truncated file?)"
        case let .invalidJSON(file, offset, reason):
            return "\(file): header is not valid JSON at byte \(offset): \(reason)"
        case let .headerNotObject(file, found):
            return "\(file): header must be a JSON object, found \(found)"
        case let .duplicateKey(file, key, within):
            return "\(file): duplicate key \"\(key)\"\(within.map { " in entry \"\($0)\"" } ?? "")"
        case let .missingField(file, key, field):
            return "\(file): entry \"\(key)\" has no \"\(field)\""
        case let .invalidField(file, key, field, expected, found):
            let place = field.isEmpty ? "entry \"\(key)\"" : "\"\(field)\" of entry \"\(key)\""
            return "\(file): \(place) must be \(expected), found \(found)"
        case let .unsupportedDType(file, key, dtype):
            let supported = SafetensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            return "\(file): entry \"\(key)\" has unsupported dtype \"\(dtype)\", expected one of \(supported)"
        case let .negativeExtent(file, key, shape):
            return "\(file): entry \"\(key)\" has shape \(shape) with a negative extent"
        case let .shapeOverflow(file, key, shape, dtype):
            return "\(file): entry \"\(key)\" of shape \(shape) and dtype \(dtype) is too large to address"
        case let .offsetsReversed(file, key, begin, end):
            return "\(file): entry \"\(key)\" has data_offsets [\(begin), \(end)] with begin after end"
        case let .offsetsOutOfBounds(file, key, begin, end, dataLength):
            return "\(file): entry \"\(key)\" has data_offsets [\(begin), \(end)] beyond the \(dataLength)-byte data section"
        case let .offsetsOverlap(file, key, begin, end, otherKey, otherBegin, otherEnd):
            return "\(file): entry \"\(key)\" at [\(begin), \(end)] overlaps entry \"\(otherKey)\" at [\(otherBegin), \(otherEnd)]"
        case let .sizeMismatch(file, key, dtype, shape, expectedBytes, foundBytes):
            return "\(file): entry \"\(key)\" of dtype \(dtype) and shape \(shape) needs \(expectedBytes) bytes, data_offsets span \(foundBytes)"
        case let .reservedKey(file, key):
            return "\(file): cannot write a tensor named \"\(key)\", the key is reserved for metadata"
        case let .io(file, operation, message):
            return "\(file): \(operation) failed: \(message)"
        }
    }
}
