import Foundation

/// The tensors and metadata of one safetensors file, the checkpoint format
/// of FERKit and of PyTorch state dicts saved with `safetensors`.
///
/// Layout: an 8-byte little-endian header length `N`, `N` bytes of JSON
/// mapping each key to `{"dtype", "shape", "data_offsets": [begin, end]}`
/// (offsets relative to the data section) plus an optional `"__metadata__"`
/// object of strings, then the raw little-endian data.
///
/// Reading accepts F32, F16, BF16, F64, I64, I32, I16, I8, U8 and BOOL and
/// converts every tensor to Float32; writing writes F32.
public struct SafetensorsArchive: Equatable {
    /// Largest header accepted when reading, in bytes (as the reference implementation).
    public static let maximumHeaderLength = 100_000_000

    /// The tensors by key (`conv1.weight`, `bn1.num_batches_tracked`, ...).
    public var tensors: [String: Tensor]
    /// Free-form string metadata (architecture, class names, training configuration).
    public var metadata: [String: String]
    /// Keys in the order of the header the archive was read from.
    private var headerOrder: [String]

    /// An archive of `tensors` and `metadata`, for writing.
    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.init(tensors: tensors, metadata: metadata, headerOrder: [])
    }

    private init(tensors: [String: Tensor], metadata: [String: String], headerOrder: [String]) {
        self.tensors = tensors
        self.metadata = metadata
        self.headerOrder = headerOrder
    }

    /// Every key of `tensors`: first those read from a file, in the order of
    /// its header, then any added since, sorted.
    public var keys: [String] {
        let read = headerOrder.filter { tensors[$0] != nil }
        let known = Set(read)
        return read + tensors.keys.filter { !known.contains($0) }.sorted()
    }

    /// The tensor stored under `key`.
    public subscript(key: String) -> Tensor? {
        get { tensors[key] }
        set { tensors[key] = newValue }
    }

    /// Same tensors (bit for bit) and metadata; key order is not compared.
    public static func == (lhs: SafetensorsArchive, rhs: SafetensorsArchive) -> Bool {
        lhs.tensors == rhs.tensors && lhs.metadata == rhs.metadata
    }
}

// MARK: - Reading

extension SafetensorsArchive {
    /// Reads the safetensors file at `url`, memory-mapped.
    ///
    /// The header is validated completely against the file's size before
    /// any tensor is allocated, so a corrupt or hostile header cannot make
    /// the reader allocate more than about four times the file's size.
    /// The file must not be truncated by another process while it is read.
    ///
    /// - Throws: `SafetensorsError` naming the file and what is wrong.
    public static func read(contentsOf url: URL) throws -> SafetensorsArchive {
        let path = url.path
        return try FileAccess.withMappedContents(of: path) { try decode($0, file: path) }
    }

    /// Reads a safetensors file held in memory; `name` stands for the file in errors.
    ///
    /// - Throws: `SafetensorsError`.
    public static func read(from data: Data, name: String) throws -> SafetensorsArchive {
        try data.withUnsafeBytes { try decode($0, file: name) }
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer, file: String) throws -> SafetensorsArchive {
        guard bytes.count >= 8 else { throw SafetensorsError.fileTooShort(file: file, size: bytes.count) }
        let claimedLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard claimedLength <= UInt64(maximumHeaderLength) else {
            throw SafetensorsError.headerLengthExceedsLimit(file: file, headerLength: claimedLength, limit: maximumHeaderLength)
        }
        let headerLength = Int(claimedLength)
        guard headerLength <= bytes.count - 8 else {
            throw SafetensorsError.headerLengthExceedsFile(file: file, headerLength: claimedLength, available: bytes.count - 8)
        }
        let dataStart = 8 + headerLength
        let header = try SafetensorsHeader(
            parsing: UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart]), file: file, fileOffset: 8,
            dataLength: bytes.count - dataStart)

        var tensors: [String: Tensor] = [:]
        tensors.reserveCapacity(header.entries.count)
        for entry in header.entries {
            var tensor = Tensor.empty(entry.shape)
            let source = UnsafeRawBufferPointer(rebasing: bytes[(dataStart + entry.range.lowerBound)..<(dataStart + entry.range.upperBound)])
            tensor.withUnsafeMutableBufferPointer { entry.dtype.decode(source, into: $0) }
            tensors[entry.key] = tensor
        }
        return SafetensorsArchive(tensors: tensors, metadata: header.metadata, headerOrder: header.entries.map(\.key))
    }
}

// MARK: - Writing

extension SafetensorsArchive {
    /// Writes every tensor as F32, keys sorted and data contiguous from
    /// offset 0 in that order, with the metadata (if any) under
    /// `__metadata__`; the header is padded with spaces so the data starts
    /// at a multiple of 8 bytes.
    ///
    /// The write is crash-safe: the bytes go to a temporary file in the
    /// same directory, which is flushed to disk and then renamed over `url`.
    ///
    /// - Throws: `SafetensorsError.reservedKey` for a tensor named
    ///   `__metadata__`, `.io` when a system call fails.
    public func write(to url: URL) throws {
        let path = url.path
        let ordered = tensors.sorted { $0.key < $1.key }
        let header = try SafetensorsArchive.encodedHeader(of: ordered, metadata: metadata, file: path)
        try FileAccess.writeAtomically(to: path) { write in
            try header.withUnsafeBytes { try write($0) }
            for (_, tensor) in ordered {
                try tensor.withUnsafeBufferPointer { try SafetensorsArchive.writeLittleEndian($0, with: write) }
            }
        }
    }

    /// The 8-byte length followed by the space-padded JSON header describing
    /// `tensors` as F32, stored contiguously in the given order.
    static func encodedHeader(
        of tensors: [(key: String, value: Tensor)], metadata: [String: String], file: String
    ) throws -> [UInt8] {
        var members: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { HeaderJSON.quoted($0.key) + ":" + HeaderJSON.quoted($0.value) }
            members.append(HeaderJSON.quoted(SafetensorsHeader.metadataKey) + ":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for (key, tensor) in tensors {
            guard key != SafetensorsHeader.metadataKey else { throw SafetensorsError.reservedKey(file: file, key: key) }
            let end = offset + tensor.count * MemoryLayout<Float>.size
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            members.append(HeaderJSON.quoted(key) + ":{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var json = Array(("{" + members.joined(separator: ",") + "}").utf8)
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
        return withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json
    }

    /// Passes `elements` to `write` as little-endian bytes.
    private static func writeLittleEndian(
        _ elements: UnsafeBufferPointer<Float>, with write: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        #if _endian(little)
        try write(UnsafeRawBufferPointer(elements))
        #else
        let swapped = elements.map { $0.bitPattern.littleEndian }
        try swapped.withUnsafeBytes { try write($0) }
        #endif
    }
}
