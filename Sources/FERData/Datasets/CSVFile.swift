import FERTensor
import Foundation

/// A comma-separated file with a header line, split into fields without
/// copying them: lines and commas are found with `memchr`, so FER-2013's
/// 290 MB CSV splits in about 0.4 s on this machine.
///
/// Fields may be wrapped in double quotes (commas inside them do not split);
/// header names are trimmed of spaces, so `emotion, Usage, pixels`
/// works too. Every data row must have as many fields as the header.
struct CSVFile {
    /// One data row: its 1-based line number and its fields' byte ranges.
    struct Row {
        let line: Int
        let fields: [Range<Int>]
    }

    let url: URL
    let bytes: [UInt8]
    /// Header names, trimmed.
    let columns: [String]
    /// The data rows (blank lines skipped).
    let rows: [Row]

    /// Reads and splits the CSV file at `url`.
    ///
    /// - Throws: `DatasetError` naming the file and line, or `MemoryBudgetError`
    ///   when the file (held twice while it is split) does not fit in the memory budget.
    init(contentsOf url: URL) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        guard let size else { throw DatasetError.missing(path: url.path, what: "CSV file") }
        try MemoryBudget.check(2 * size, for: "reading \(url.path)")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DatasetError.missing(path: url.path, what: "CSV file")
        }
        self.url = url
        let bytes = [UInt8](unsafeUninitializedCapacity: data.count) { buffer, count in
            count = data.copyBytes(to: buffer)
        }
        self.bytes = bytes
        let rows = bytes.withUnsafeBufferPointer(Self.rows(in:))
        guard let header = rows.first else {
            throw DatasetError.malformedLine(file: url.path, line: 1, reason: "empty file, expected a header line")
        }
        let columns = header.fields.map { String(decoding: bytes[$0], as: UTF8.self).trimmingCharacters(in: .whitespaces) }
        for row in rows.dropFirst() where row.fields.count != columns.count {
            throw DatasetError.malformedLine(
                file: url.path, line: row.line, reason: "\(row.fields.count) fields, the header has \(columns.count)")
        }
        self.columns = columns
        self.rows = Array(rows.dropFirst())
    }

    /// The index of the column named `name` (case-insensitive).
    func column(_ name: String) throws -> Int {
        guard let index = columns.firstIndex(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) else {
            throw DatasetError.malformedLine(
                file: url.path, line: 1, reason: "no column \"\(name)\" in header \(columns.joined(separator: ","))")
        }
        return index
    }

    /// The bytes of `row`'s field in `column`.
    func field(_ row: Row, _ column: Int) -> ArraySlice<UInt8> { bytes[row.fields[column]] }

    /// The text of `row`'s field in `column`, trimmed of spaces.
    func text(_ row: Row, _ column: Int) -> String {
        String(decoding: field(row, column), as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    /// The non-blank lines of `bytes` (a trailing carriage return dropped),
    /// split into field ranges. Lines and commas are found with `memchr`,
    /// which scans FER-2013's long pixel fields many bytes at a time.
    private static func rows(in bytes: UnsafeBufferPointer<UInt8>) -> [Row] {
        guard let base = bytes.baseAddress else { return [] }
        var rows: [Row] = []
        var line = 1, start = 0
        while start < bytes.count {
            let end = index(of: UInt8(ascii: "\n"), in: bytes, from: start, to: bytes.count) ?? bytes.count
            let contentEnd = end > start && base[end - 1] == UInt8(ascii: "\r") ? end - 1 : end
            if contentEnd > start { rows.append(Row(line: line, fields: fields(of: bytes, in: start..<contentEnd))) }
            start = end + 1
            line += 1
        }
        return rows
    }

    /// Field ranges of one line; quotes are removed from the ranges, not
    /// unescaped (no FER CSV has a quote inside a field).
    private static func fields(of bytes: UnsafeBufferPointer<UInt8>, in line: Range<Int>) -> [Range<Int>] {
        let comma = UInt8(ascii: ",")
        var fields: [Range<Int>] = []
        var start = line.lowerBound
        if index(of: UInt8(ascii: "\""), in: bytes, from: start, to: line.upperBound) == nil {
            while let next = index(of: comma, in: bytes, from: start, to: line.upperBound) {
                fields.append(start..<next)
                start = next + 1
            }
        } else {
            var quoted = false
            for position in line {
                if bytes[position] == UInt8(ascii: "\"") {
                    quoted.toggle()
                } else if bytes[position] == comma, !quoted {
                    fields.append(unquoted(start..<position, in: bytes))
                    start = position + 1
                }
            }
        }
        fields.append(unquoted(start..<line.upperBound, in: bytes))
        return fields
    }

    /// The first position of `byte` in `bytes[from..<to]`.
    private static func index(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard from < to, let base = bytes.baseAddress,
              let found = memchr(base + from, Int32(byte), to - from) else { return nil }
        return UnsafeRawPointer(base).distance(to: found)
    }

    private static func unquoted(_ range: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        let quote = UInt8(ascii: "\"")
        if range.count >= 2, bytes[range.lowerBound] == quote, bytes[range.upperBound - 1] == quote {
            return (range.lowerBound + 1)..<(range.upperBound - 1)
        }
        return range
    }
}
