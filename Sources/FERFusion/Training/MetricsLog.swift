import Foundation

/// Writes each epoch's `EpochRecord` as one JSON line to a file
/// (`metrics.jsonl`), flushed as soon as the epoch ends.
///
/// When a run starts or resumes, the file is rewritten with exactly the
/// epochs the run holds, so that an epoch logged after the last saved
/// checkpoint (a crash between the two) is not listed twice.
public final class MetricsLog: TrainingCallback {
    /// The log file.
    public let url: URL

    /// A log at `url` (its directory is created when the run starts).
    public init(url: URL) {
        self.url = url
    }

    public func trainingStarted(history: [EpochRecord], epochs: Int) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try history.map { try Self.line($0) }.joined().write(to: url, atomically: true, encoding: .utf8)
    }

    public func epochEnded(_ record: EpochRecord, isBest: Bool) throws {
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(try Self.line(record).utf8))
        try handle.synchronize()
    }

    /// The records of a metrics log file, in order.
    ///
    /// - Throws: the file's read error, or `DecodingError` naming the line's contents.
    public static func read(contentsOf url: URL) throws -> [EpochRecord] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { try EpochRecord.decoder().decode(EpochRecord.self, from: Data($0.utf8)) }
    }

    /// The record as one JSON line (non-finite figures as strings, see `EpochRecord.encoder()`).
    private static func line(_ record: EpochRecord) throws -> String {
        String(decoding: try EpochRecord.encoder().encode(record), as: UTF8.self) + "\n"
    }
}
