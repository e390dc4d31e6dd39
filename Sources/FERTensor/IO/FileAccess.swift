#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX file operations safetensors I/O needs, with failures
/// reported as `SafetensorsError.io` carrying the system's message.
enum FileAccess {
    /// Calls `body` with the bytes of the file at `path`, memory-mapped
    /// read-only for the duration of the call.
    static func withMappedContents<Result>(
        of path: String, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw systemError(path, "open") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw systemError(path, "stat") }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw SafetensorsError.io(file: path, operation: "open", message: "not a regular file")
        }
        let size = Int(status.st_size)
        guard size > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapping != MAP_FAILED else {
            throw systemError(path, "mmap")
        }
        defer { munmap(mapping, size) }
        return try body(UnsafeRawBufferPointer(start: mapping, count: size))
    }

    /// Replaces the file at `path` atomically: `body` writes through the
    /// given function into a temporary file in the same directory, which is
    /// then flushed to disk (`fsync`) and renamed over `path`, so a crash
    /// leaves either the old file or the complete new one. The temporary
    /// file is removed if anything fails.
    static func writeAtomically(
        to path: String, _ body: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        let directory = directoryName(of: path)
        let temporary = "\(directory)/.\(baseName(of: path)).tmp-\(getpid())-\(UInt32.random(in: .min ... .max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw systemError(path, "create temporary file \(temporary)") }
        var isOpen = true
        do {
            try body { bytes in try writeAll(bytes, to: descriptor, path: path) }
            guard fsync(descriptor) == 0 else { throw systemError(path, "fsync") }
            isOpen = false
            guard close(descriptor) == 0 else { throw systemError(path, "close") }
            guard rename(temporary, path) == 0 else { throw systemError(path, "rename") }
        } catch {
            if isOpen { close(descriptor) }
            unlink(temporary)
            throw error
        }
        // Make the rename itself durable; a failure here leaves a complete file.
        let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    private static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw systemError(path, "write")
            }
            offset += written
        }
    }

    private static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func baseName(of path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }

    /// `.io` for the failed `operation`, with `strerror(errno)`.
    private static func systemError(_ path: String, _ operation: String) -> SafetensorsError {
        .io(file: path, operation: operation, message: String(cString: strerror(errno)))
    }
}
