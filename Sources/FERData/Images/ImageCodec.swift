import CFERCodecs
import Foundation

extension Image {
    /// Default pixel limit for decoding: PIL's `MAX_IMAGE_PIXELS` (about 89.5 megapixels).
    public static let defaultPixelLimit = 89_478_485

    /// Decodes the JPEG or PNG file at `url`; refuses images of more than `maxPixels` pixels.
    public init(contentsOf url: URL, maxPixels: Int = Image.defaultPixelLimit) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImageError.unreadable(source: url.path, reason: (error as NSError).localizedDescription)
        }
        try self.init(encoded: data, source: url.path, maxPixels: maxPixels)
    }

    /// Decodes JPEG or PNG bytes (the format is recognised by its signature);
    /// `source` names the data in errors.
    public init(encoded data: Data, source: String = "<memory>", maxPixels: Int = Image.defaultPixelLimit) throws {
        guard let format = ImageFormat(signatureOf: data.prefix(8)) else {
            throw ImageError.unknownFormat(source: source)
        }
        var decoded = fer_decoded_image()
        var message = [CChar](repeating: 0, count: Self.messageCapacity)
        let status = data.withUnsafeBytes { bytes in
            let base = bytes.bindMemory(to: UInt8.self).baseAddress
            return switch format {
            case .jpeg: fer_jpeg_decode(base, bytes.count, maxPixels, &decoded, &message, Self.messageCapacity)
            case .png: fer_png_decode(base, bytes.count, maxPixels, &decoded, &message, Self.messageCapacity)
            }
        }
        guard status == FER_CODEC_OK, let pixels = decoded.pixels else {
            throw Self.error(status, format: format, source: source, message: String(cString: message))
        }
        defer { fer_codec_free(pixels) }
        let count = decoded.width * decoded.height * decoded.channels
        self.init(width: decoded.width, height: decoded.height, channels: decoded.channels,
                  pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }

    /// The image encoded as a baseline JPEG of `quality` (1...100).
    public func jpegData(quality: Int = 95) throws -> Data {
        try encoded(as: .jpeg, jpegQuality: quality, destination: "<memory>")
    }

    /// The image encoded as an 8-bit PNG.
    public func pngData() throws -> Data {
        try encoded(as: .png, jpegQuality: 95, destination: "<memory>")
    }

    /// Writes the image to `url` in the format its extension names (`.jpg`, `.jpeg`, `.png`).
    public func write(to url: URL, jpegQuality: Int = 95) throws {
        guard let format = ImageFormat(pathExtension: url.pathExtension) else {
            throw ImageError.encodingFailed(destination: url.path, reason: "the extension must be .jpg, .jpeg or .png")
        }
        let data = try encoded(as: format, jpegQuality: jpegQuality, destination: url.path)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw ImageError.encodingFailed(destination: url.path, reason: (error as NSError).localizedDescription)
        }
    }

    /// The image encoded as `format`; `destination` names it in errors.
    private func encoded(as format: ImageFormat, jpegQuality: Int, destination: String) throws -> Data {
        precondition((1...100).contains(jpegQuality), "Image: JPEG quality must be in 1...100, got \(jpegQuality)")
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: Self.messageCapacity)
        let status = pixels.withUnsafeBufferPointer { buffer in
            switch format {
            case .jpeg:
                fer_jpeg_encode(buffer.baseAddress, width, height, channels, Int32(jpegQuality), &output, &size, &message, Self.messageCapacity)
            case .png:
                fer_png_encode(buffer.baseAddress, width, height, channels, &output, &size, &message, Self.messageCapacity)
            }
        }
        guard status == FER_CODEC_OK, let output else {
            throw ImageError.encodingFailed(destination: destination, reason: String(cString: message))
        }
        defer { fer_codec_free(output) }
        return Data(bytes: output, count: size)
    }

    /// Bytes of the buffer the codecs write their error messages into.
    private static let messageCapacity = 256

    private static func error(_ status: fer_codec_status, format: ImageFormat, source: String, message: String) -> ImageError {
        switch status {
        case FER_CODEC_UNSUPPORTED: .unsupported(source: source, format: format, reason: message)
        case FER_CODEC_TOO_LARGE: .tooLarge(source: source, reason: message)
        default: .corrupt(source: source, format: format, reason: message.isEmpty ? "unknown error" : message)
        }
    }
}
