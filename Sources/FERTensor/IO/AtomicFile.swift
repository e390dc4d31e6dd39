import Foundation

/// Replaces the file at `url` with `data` so that a crash at any moment
/// leaves either the old file or the complete new one: the bytes go to a
/// temporary file in the same directory, which is flushed to disk and then
/// renamed over `url`.
///
/// - Throws: `SafetensorsError.io` naming the file and the failed system call.
public func writeAtomically(_ data: Data, to url: URL) throws {
    try FileAccess.writeAtomically(to: url.path) { write in
        try data.withUnsafeBytes { try write($0) }
    }
}
