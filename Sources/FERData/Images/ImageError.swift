/// Why an image could not be read or written. Every case names the file
/// (or `<memory>` for in-memory data).
public enum ImageError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read at all.
    case unreadable(source: String, reason: String)
    /// Neither a JPEG nor a PNG signature.
    case unknownFormat(source: String)
    /// Corrupt or truncated data; `reason` is the codec's message.
    case corrupt(source: String, format: ImageFormat, reason: String)
    /// A valid file of a kind FERKit does not read (e.g. CMYK JPEG).
    case unsupported(source: String, format: ImageFormat, reason: String)
    /// More pixels than the decoder's limit (a guard against decompression bombs).
    case tooLarge(source: String, reason: String)
    /// The encoder failed or the file could not be written.
    case encodingFailed(destination: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(source, reason): "\(source): cannot read the file (\(reason))"
        case let .unknownFormat(source): "\(source): not a JPEG or PNG image"
        case let .corrupt(source, format, reason): "\(source): corrupt or truncated \(format) (\(reason))"
        case let .unsupported(source, format, reason): "\(source): unsupported \(format) (\(reason))"
        case let .tooLarge(source, reason): "\(source): image too large: \(reason) (raise maxPixels if it is trusted)"
        case let .encodingFailed(destination, reason): "\(destination): cannot write the image (\(reason))"
        }
    }
}

/// The encoded image formats FERData reads and writes.
public enum ImageFormat: String, Sendable, CustomStringConvertible {
    case jpeg = "JPEG"
    case png = "PNG"

    /// The format whose signature starts `bytes`, if any.
    public init?(signatureOf bytes: some Collection<UInt8>) {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else {
            return nil
        }
    }

    /// The format a file name's extension asks for (`.jpg`, `.jpeg`, `.png`), if any.
    public init?(pathExtension: String) {
        switch pathExtension.lowercased() {
        case "jpg", "jpeg": self = .jpeg
        case "png": self = .png
        default: return nil
        }
    }

    public var description: String { rawValue }
}
