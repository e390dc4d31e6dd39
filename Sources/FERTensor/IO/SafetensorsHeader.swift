/// One tensor's entry in a safetensors header, validated against the file.
struct SafetensorsEntry {
    let key: String
    let dtype: SafetensorsDType
    let shape: [Int]
    /// Byte range in the data section.
    let range: Range<Int>
}

/// A parsed and fully validated safetensors header: every entry has a
/// supported dtype, a non-negative shape, and a byte range inside the data
/// section of exactly the right size that overlaps no other. Nothing is
/// allocated from the claimed sizes until all of this holds.
struct SafetensorsHeader {
    /// The key of the optional string-to-string metadata object.
    static let metadataKey = "__metadata__"

    /// Entries in the order of the header.
    var entries: [SafetensorsEntry] = []
    var metadata: [String: String] = [:]

    private let file: String

    /// Parses the header `bytes`, which start `fileOffset` bytes into `file`
    /// and are followed by a data section of `dataLength` bytes.
    init(parsing bytes: UnsafeRawBufferPointer, file: String, fileOffset: Int, dataLength: Int) throws {
        self.file = file
        var parser = HeaderJSONParser(bytes, file: file, fileOffset: fileOffset)
        let document = try parser.parseDocument()
        guard case let .object(members) = document else {
            throw SafetensorsError.headerNotObject(file: file, found: document.summary())
        }
        for (key, value) in members {
            if key == SafetensorsHeader.metadataKey {
                metadata = try parseMetadata(value)
            } else {
                entries.append(try parseEntry(key: key, value, dataLength: dataLength))
            }
        }
        try checkNoOverlap()
    }

    private func parseMetadata(_ value: HeaderJSON) throws -> [String: String] {
        guard case let .object(members) = value else {
            throw invalid(SafetensorsHeader.metadataKey, field: "", expected: "an object of strings", found: value)
        }
        var metadata: [String: String] = [:]
        for (name, value) in members {
            guard case let .string(text) = value else {
                throw invalid(SafetensorsHeader.metadataKey, field: name, expected: "a string", found: value)
            }
            metadata[name] = text
        }
        return metadata
    }

    private func parseEntry(key: String, _ value: HeaderJSON, dataLength: Int) throws -> SafetensorsEntry {
        guard case let .object(members) = value else {
            throw invalid(key, field: "", expected: "an object with dtype, shape and data_offsets", found: value)
        }
        func field(_ name: String) throws -> HeaderJSON {
            guard let member = members.first(where: { $0.key == name }) else {
                throw SafetensorsError.missingField(file: file, key: key, field: name)
            }
            return member.value
        }
        let dtypeValue = try field("dtype")
        guard case let .string(dtypeName) = dtypeValue else {
            throw invalid(key, field: "dtype", expected: "a string", found: dtypeValue)
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw SafetensorsError.unsupportedDType(file: file, key: key, dtype: dtypeName)
        }
        let (shape, byteCount) = try parseShape(key: key, try field("shape"), dtype: dtype)
        let range = try parseOffsets(key: key, try field("data_offsets"), dataLength: dataLength)
        guard range.count == byteCount else {
            throw SafetensorsError.sizeMismatch(
                file: file, key: key, dtype: dtype.rawValue, shape: shape, expectedBytes: byteCount, foundBytes: range.count)
        }
        return SafetensorsEntry(key: key, dtype: dtype, shape: shape, range: range)
    }

    /// The extents, and the byte count they need at `dtype`, computed without overflow.
    private func parseShape(key: String, _ value: HeaderJSON, dtype: SafetensorsDType) throws -> (shape: [Int], byteCount: Int) {
        let expected = "an array of non-negative integers"
        guard case let .array(elements) = value else { throw invalid(key, field: "shape", expected: expected, found: value) }
        var shape: [Int] = []
        var byteCount = dtype.byteCount
        var overflow = false
        for element in elements {
            guard case let .number(text) = element, !text.contains(where: { ".eE".contains($0) }) else {
                throw invalid(key, field: "shape", expected: expected, found: value)
            }
            guard let extent = Int(text) else {
                // An integer literal beyond Int's range: negative or too large.
                if text.hasPrefix("-") { throw SafetensorsError.negativeExtent(file: file, key: key, shape: value.json) }
                throw SafetensorsError.shapeOverflow(file: file, key: key, shape: value.json, dtype: dtype.rawValue)
            }
            guard extent >= 0 else { throw SafetensorsError.negativeExtent(file: file, key: key, shape: value.json) }
            let product = byteCount.multipliedReportingOverflow(by: extent)
            overflow = overflow || product.overflow
            byteCount = product.partialValue
            shape.append(extent)
        }
        // A zero extent makes the tensor empty however large the others are.
        if shape.contains(0) { return (shape, 0) }
        guard !overflow else { throw SafetensorsError.shapeOverflow(file: file, key: key, shape: value.json, dtype: dtype.rawValue) }
        return (shape, byteCount)
    }

    private func parseOffsets(key: String, _ value: HeaderJSON, dataLength: Int) throws -> Range<Int> {
        guard case let .array(elements) = value, elements.count == 2,
              let begin = elements[0].integer, let end = elements[1].integer, begin >= 0, end >= 0 else {
            throw invalid(key, field: "data_offsets", expected: "two non-negative integers [begin, end]", found: value)
        }
        guard begin <= end else { throw SafetensorsError.offsetsReversed(file: file, key: key, begin: begin, end: end) }
        guard end <= dataLength else {
            throw SafetensorsError.offsetsOutOfBounds(file: file, key: key, begin: begin, end: end, dataLength: dataLength)
        }
        return begin..<end
    }

    /// Throws `.offsetsOverlap` if two non-empty byte ranges share a byte.
    private func checkNoOverlap() throws {
        let occupied = entries.filter { !$0.range.isEmpty }.sorted { $0.range.lowerBound < $1.range.lowerBound }
        for (previous, next) in zip(occupied, occupied.dropFirst()) where next.range.lowerBound < previous.range.upperBound {
            throw SafetensorsError.offsetsOverlap(
                file: file, key: next.key, begin: next.range.lowerBound, end: next.range.upperBound,
                otherKey: previous.key, otherBegin: previous.range.lowerBound, otherEnd: previous.range.upperBound)
        }
    }

    private func invalid(_ key: String, field: String, expected: String, found: HeaderJSON) -> SafetensorsError {
        .invalidField(file: file, key: key, field: field, expected: expected, found: found.summary())
    }
}
