#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Where tensor buffers come from.
///
/// Small buffers come from `posix_memalign`. Large ones (activations,
/// gradients, im2col scratch) are whole pages mapped for the tensor; when a
/// tensor dies its pages go to a cache of free buffers by exact size, bounded
/// by `cacheLimitBytes`, and beyond that bound back to the system at once.
/// A training step asks for the same sizes in the same order every step, so
/// steady-state steps reuse cached buffers instead of faulting in fresh pages,
/// and resident memory stays at the live tensors plus the bounded cache
/// (the C heap would keep freed blocks resident and fragmented).
public enum TensorMemory {
    /// Buffers of at least this many bytes are mapped and cached.
    static let largeBufferBytes = 1 << 18

    /// Upper bound on the bytes of free buffers kept for reuse (default 512 MiB;
    /// `FERKIT_TENSOR_CACHE_MB` overrides it at start-up). 0 disables the cache.
    public static var cacheLimitBytes: Int {
        get { cache.withLock { $0.limit } }
        set {
            precondition(newValue >= 0, "TensorMemory.cacheLimitBytes must not be negative, got \(newValue)")
            unmap(cache.withLock { cache in
                cache.limit = newValue
                return cache.trimmed()
            })
        }
    }

    /// Bytes of free buffers currently kept for reuse.
    public static var cachedBytes: Int { cache.withLock { $0.bytes } }

    /// Returns every cached free buffer to the system.
    public static func emptyCache() {
        unmap(cache.withLock { cache in
            let limit = cache.limit
            cache.limit = 0
            defer { cache.limit = limit }
            return cache.trimmed()
        })
    }

    /// Number of cached free buffers that would serve a request of `bytes`.
    static func cachedBufferCount(forBytes bytes: Int) -> Int {
        let size = pageRounded(bytes)
        return cache.withLock { $0.entries.filter { $0.size == size }.count }
    }

    /// `bytes` of memory aligned to at least `alignment` (at most a page).
    static func allocate(bytes: Int, alignment: Int) -> UnsafeMutableRawPointer {
        if bytes < largeBufferBytes {
            var raw: UnsafeMutableRawPointer?
            guard posix_memalign(&raw, alignment, bytes) == 0, let raw else {
                preconditionFailure("TensorStorage: cannot allocate \(bytes) bytes")
            }
            return raw
        }
        let size = pageRounded(bytes)
        if let reused = cache.withLock({ $0.take(size: size) }) { return reused }
        guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapped != UnsafeMutableRawPointer(bitPattern: -1)
        else {
            preconditionFailure("TensorStorage: cannot map \(size) bytes (errno \(errno))")
        }
        return mapped
    }

    /// Gives back memory from `allocate(bytes:alignment:)` with the same `bytes`.
    static func release(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        if bytes < largeBufferBytes {
            free(pointer)
            return
        }
        let size = pageRounded(bytes)
        unmap(cache.withLock { $0.give(pointer, size: size) })
    }

    /// Returns buffers to the system (outside the cache's lock).
    private static func unmap(_ buffers: [(buffer: UnsafeMutableRawPointer, size: Int)]) {
        for (buffer, size) in buffers { munmap(buffer, size) }
    }

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    private static func pageRounded(_ bytes: Int) -> Int { (bytes + pageSize - 1) / pageSize * pageSize }

    /// Free mapped buffers, oldest first.
    private struct Cache {
        var entries: [(buffer: UnsafeMutableRawPointer, size: Int)] = []
        var bytes = 0
        var limit: Int

        mutating func take(size: Int) -> UnsafeMutableRawPointer? {
            guard let index = entries.lastIndex(where: { $0.size == size }) else { return nil }
            bytes -= size
            return entries.remove(at: index).buffer
        }

        /// Caches a free buffer; returns the buffers to unmap to stay within the limit.
        mutating func give(_ buffer: UnsafeMutableRawPointer, size: Int) -> [(buffer: UnsafeMutableRawPointer, size: Int)] {
            entries.append((buffer, size))
            bytes += size
            return trimmed()
        }

        /// Removes the oldest buffers until the cache is within its limit; returns them to unmap.
        mutating func trimmed() -> [(buffer: UnsafeMutableRawPointer, size: Int)] {
            var evicted: [(buffer: UnsafeMutableRawPointer, size: Int)] = []
            while bytes > limit, !entries.isEmpty {
                let oldest = entries.removeFirst()
                bytes -= oldest.size
                evicted.append(oldest)
            }
            return evicted
        }
    }

    private static let cache = LockedCache(Cache(limit: {
        if let text = ProcessInfo.processInfo.environment["FERKIT_TENSOR_CACHE_MB"], let megabytes = Int(text), megabytes >= 0 {
            return megabytes << 20
        }
        return 512 << 20
    }()))

    /// The cache behind a lock: tensors die on any thread.
    private final class LockedCache: @unchecked Sendable {
        private let lock = NSLock()
        private var cache: Cache

        init(_ cache: Cache) { self.cache = cache }

        func withLock<Result>(_ body: (inout Cache) -> Result) -> Result {
            lock.lock()
            defer { lock.unlock() }
            return body(&cache)
        }
    }
}
