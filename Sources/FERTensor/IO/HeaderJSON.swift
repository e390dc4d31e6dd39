/// A JSON value as it appears in a safetensors header, with object members
/// kept in file order (the key order of an archive, and duplicate-key
/// detection, need it; Foundation's parser keeps neither).
indirect enum HeaderJSON {
    case object([(key: String, value: HeaderJSON)])
    case array([HeaderJSON])
    case string(String)
    /// A number, as its literal text (so integers too large for `Int` can be reported as written).
    case number(String)
    case bool(Bool)
    case null

    /// The value of an integer literal that fits in `Int`, else `nil`.
    var integer: Int? {
        if case let .number(text) = self { return Int(text) }
        return nil
    }

    /// Compact JSON text, cut to about `limit` characters, for error messages.
    func summary(limit: Int = 80) -> String {
        let text = json
        return text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    /// Compact JSON text of this value.
    var json: String {
        switch self {
        case let .object(members):
            return "{" + members.map { HeaderJSON.quoted($0.key) + ":" + $0.value.json }.joined(separator: ",") + "}"
        case let .array(elements): return "[" + elements.map(\.json).joined(separator: ",") + "]"
        case let .string(text): return HeaderJSON.quoted(text)
        case let .number(text): return text
        case let .bool(value): return value ? "true" : "false"
        case .null: return "null"
        }
    }

    /// `text` as a JSON string literal: quotes, backslashes and control
    /// characters escaped, everything else as UTF-8.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

/// A strict RFC 8259 parser for safetensors headers that throws
/// `SafetensorsError` (`.invalidJSON` with the byte offset in the file,
/// `.duplicateKey`) and bounds nesting so hostile input cannot exhaust the stack.
struct HeaderJSONParser {
    /// Deepest nesting accepted; real headers nest three levels.
    static let maximumDepth = 64

    /// The byte each one-character escape (`\n`, `\"`, ...) stands for.
    private static let simpleEscapes: [UInt8: UInt8] = [
        UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
        UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
    ]

    private let bytes: UnsafeRawBufferPointer
    private let file: String
    /// Offset of `bytes` in the file, for error messages.
    private let fileOffset: Int
    private var position = 0

    /// A parser over `bytes`, which start `fileOffset` bytes into `file`.
    init(_ bytes: UnsafeRawBufferPointer, file: String, fileOffset: Int) {
        self.bytes = bytes
        self.file = file
        self.fileOffset = fileOffset
    }

    /// Parses one value surrounded by optional whitespace, and nothing else.
    mutating func parseDocument() throws -> HeaderJSON {
        let value = try parseValue(depth: 0, within: nil)
        skipWhitespace()
        guard position == bytes.count else { throw failure("unexpected \(describeCurrent()) after the value") }
        return value
    }

    private mutating func parseValue(depth: Int, within: String?) throws -> HeaderJSON {
        skipWhitespace()
        guard depth < HeaderJSONParser.maximumDepth else { throw failure("nesting deeper than \(HeaderJSONParser.maximumDepth)") }
        guard position < bytes.count else { throw failure("unexpected end of header") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth, within: within)
        case UInt8(ascii: "["): return try parseArray(depth: depth, within: within)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw failure("unexpected \(describeCurrent())")
        }
    }

    private mutating func parseObject(depth: Int, within: String?) throws -> HeaderJSON {
        position += 1
        var members: [(key: String, value: HeaderJSON)] = []
        var seen = Set<String>()
        if try consumeClosing("}") { return .object(members) }
        repeat {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw failure("expected a string key, found \(describeCurrent())")
            }
            let key = try parseString()
            guard seen.insert(key).inserted else {
                throw SafetensorsError.duplicateKey(file: file, key: key, within: within)
            }
            try expect(":")
            members.append((key, try parseValue(depth: depth + 1, within: within ?? key)))
        } while try consumeSeparator(closing: "}")
        return .object(members)
    }

    private mutating func parseArray(depth: Int, within: String?) throws -> HeaderJSON {
        position += 1
        var elements: [HeaderJSON] = []
        if try consumeClosing("]") { return .array(elements) }
        repeat {
            elements.append(try parseValue(depth: depth + 1, within: within))
        } while try consumeSeparator(closing: "]")
        return .array(elements)
    }

    /// After an element: `true` on a comma, `false` on `closing`, else throws.
    private mutating func consumeSeparator(closing: Unicode.Scalar) throws -> Bool {
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: ",") {
            position += 1
            return true
        }
        try expect(closing)
        return false
    }

    /// Right after an opening bracket: consumes `closing` if the container is empty.
    private mutating func consumeClosing(_ closing: Unicode.Scalar) throws -> Bool {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: closing) else { return false }
        position += 1
        return true
    }

    private mutating func parseString() throws -> String {
        position += 1
        var utf8: [UInt8] = []
        while true {
            guard position < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else { throw failure("string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                try appendEscape(to: &utf8)
            case 0..<0x20:
                position -= 1
                throw failure("unescaped control character in string")
            default:
                utf8.append(byte)
            }
        }
    }

    private mutating func appendEscape(to utf8: inout [UInt8]) throws {
        guard position < bytes.count else { throw failure("unterminated escape") }
        let byte = bytes[position]
        position += 1
        if let replacement = HeaderJSONParser.simpleEscapes[byte] {
            utf8.append(replacement)
            return
        }
        guard byte == UInt8(ascii: "u") else { throw failure("invalid escape \\\(Unicode.Scalar(byte))") }
        var value = try parseHexQuad()
        if (0xD800..<0xDC00).contains(value) {
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                throw failure("unpaired surrogate")
            }
            position += 2
            let low = try parseHexQuad()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate") }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(value) else { throw failure("unpaired surrogate") }
        utf8.append(contentsOf: String(scalar).utf8)
    }

    private mutating func parseHexQuad() throws -> UInt32 {
        guard position + 4 <= bytes.count,
              let value = UInt32(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<position + 4]), as: UTF8.self), radix: 16)
        else { throw failure("\\u must be followed by four hexadecimal digits") }
        position += 4
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`, returned as text.
    private mutating func parseNumber() throws -> String {
        let start = position
        consume("-")
        guard position < bytes.count, isDigit(bytes[position]) else { throw failure("expected a digit") }
        if bytes[position] == UInt8(ascii: "0") { position += 1 } else { try consumeDigits() }
        if consume(".") { try consumeDigits() }
        if consume("e") || consume("E") {
            if !consume("+") { consume("-") }
            try consumeDigits()
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    private mutating func consumeDigits() throws {
        guard position < bytes.count, isDigit(bytes[position]) else { throw failure("expected a digit") }
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    @discardableResult
    private mutating func consume(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ character: Unicode.Scalar) throws {
        skipWhitespace()
        guard consume(character) else { throw failure("expected '\(character)', found \(describeCurrent())") }
    }

    private mutating func expectLiteral(_ literal: String) throws {
        for scalar in literal.unicodeScalars {
            guard consume(scalar) else { throw failure("invalid literal, expected \(literal)") }
        }
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func describeCurrent() -> String {
        guard position < bytes.count else { return "end of header" }
        let byte = bytes[position]
        return (0x21..<0x7F).contains(byte) ? "'\(Unicode.Scalar(byte))'" : "byte 0x\(String(byte, radix: 16))"
    }

    private func failure(_ reason: String) -> SafetensorsError {
        .invalidJSON(file: file, offset: fileOffset + position, reason: reason)
    }
}
