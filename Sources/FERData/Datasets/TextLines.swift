import Foundation

/// The non-empty lines of a text file with their 1-based line numbers.
struct TextLines {
    /// (line number, text without the line break), blank lines skipped.
    let numbered: [(Int, String)]

    init(contentsOf url: URL) throws {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            if FileManager.default.fileExists(atPath: url.path) {
                throw DatasetError.malformedLine(file: url.path, line: 1, reason: "not UTF-8 text")
            }
            throw DatasetError.missing(path: url.path, what: "file")
        }
        numbered = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : (index + 1, trimmed)
        }
    }
}
