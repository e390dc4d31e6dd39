#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Where tensor buffers come from.
///
/// Small buffers come from `posix_memalign`. Large ones (activations,
/// gradients, im2col scratch) are carved out of one reserved address range,
/// the arena: best fit, split and coalesced by `ArenaLayout`, so the bytes an
/// activation frees serve whatever the step asks for next, whatever its size.
/// A training step asks for the same sizes in the same order every step, so
/// steady-state steps fault in no fresh pages, and resident memory stays close
/// to the peak of live tensors. Free bytes that stay resident are a cache,
/// bounded by `cacheLimitBytes`; beyond the bound their pages go back to the
/// system at once.
public enum TensorMemory {
    /// Buffers of at least this many bytes come from the arena.
    static let largeBufferBytes = 1 << 18

    /// Upper bound on the free bytes kept resident for reuse (default 512 MiB;
    /// `FERKIT_TENSOR_CACHE_MB` overrides it at start-up). 0 gives every freed
    /// page back at once.
    public static var cacheLimitBytes: Int {
        get { arena.withLock { $0.limit } }
        set {
            precondition(newValue >= 0, "TensorMemory.cacheLimitBytes must not be negative, got \(newValue)")
            arena.withLock { arena in
                arena.limit = newValue
                arena.discardFreePages(keepingAtMost: newValue)
            }
        }
    }

    /// Free bytes currently kept resident for reuse.
    public static var cachedBytes: Int { arena.withLock { $0.layout.residentFreeBytes } }

    /// Returns the pages of every free buffer to the system.
    public static func emptyCache() {
        arena.withLock { $0.discardFreePages(keepingAtMost: 0) }
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
        if let carved = arena.withLock({ $0.allocate(size: size) }) { return carved }
        guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapped != MAP_FAILED
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
        let inArena = arena.withLock { $0.free(pointer, size: size) }
        if !inArena { munmap(pointer, size) }
    }

    /// Whether `pointer` lies in the arena (for tests).
    static func arenaHolds(_ pointer: UnsafeMutableRawPointer) -> Bool {
        arena.withLock { $0.holds(pointer) }
    }

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    private static func pageRounded(_ bytes: Int) -> Int { (bytes + pageSize - 1) / pageSize * pageSize }

    private static let arena = LockedArena(Arena(limit: {
        if let text = ProcessInfo.processInfo.environment["FERKIT_TENSOR_CACHE_MB"], let megabytes = Int(text), megabytes >= 0 {
            return megabytes << 20
        }
        return 512 << 20
    }()))

    /// The reserved address range and what lives in it.
    private struct Arena {
        /// Start of the reservation, or nil when none could be made (every buffer is then mapped on its own).
        let base: UnsafeMutableRawPointer?
        var layout: ArenaLayout
        /// Bytes from `base` that are readable and writable; the rest is reserved address space only.
        var committedEnd = 0
        var limit: Int

        /// Address space reserved at start-up: it costs no memory until used.
        private static let reservationSizes = [1 << 40, 1 << 36, 1 << 33]
        /// Granularity in which reserved address space is made usable.
        private static let commitGranularity = 64 << 20

        init(limit: Int) {
            self.limit = limit
            for size in Self.reservationSizes {
                let reserved = mmap(nil, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                if let reserved, reserved != MAP_FAILED {
                    base = reserved
                    layout = ArenaLayout(capacity: size)
                    return
                }
            }
            base = nil
            layout = ArenaLayout(capacity: 0)
        }

        /// A block of `size` bytes, or nil when the arena cannot hold it.
        mutating func allocate(size: Int) -> UnsafeMutableRawPointer? {
            guard let base, let offset = layout.allocate(size: size) else { return nil }
            let end = offset + size
            if end > committedEnd {
                let newEnd = min(layout.capacity, (end + Self.commitGranularity - 1) / Self.commitGranularity * Self.commitGranularity)
                guard mprotect(base + committedEnd, newEnd - committedEnd, PROT_READ | PROT_WRITE) == 0 else {
                    layout.free(offset: offset, size: size)
                    return nil
                }
                committedEnd = newEnd
            }
            return base + offset
        }

        /// Frees the block at `pointer` if it is in the arena; false if it is not.
        mutating func free(_ pointer: UnsafeMutableRawPointer, size: Int) -> Bool {
            guard let base, holds(pointer) else { return false }
            layout.free(offset: pointer - base, size: size)
            discardFreePages(keepingAtMost: limit)
            return true
        }

        /// Whether `pointer` lies in the reserved range.
        func holds(_ pointer: UnsafeMutableRawPointer) -> Bool {
            guard let base else { return false }
            return pointer >= base && pointer < base + layout.capacity
        }

        /// Gives the pages of free blocks back to the system until at most `bytes` free bytes stay resident.
        /// Runs under the lock: a discarded range must not be handed out before its pages are dropped.
        mutating func discardFreePages(keepingAtMost bytes: Int) {
            guard let base, layout.residentFreeBytes > bytes else { return }
            for range in layout.release(keepingAtMost: bytes) {
                madvise(base + range.lowerBound, range.count, Self.discardAdvice)
            }
        }

        #if os(Linux)
        private static let discardAdvice = MADV_DONTNEED
        #else
        private static let discardAdvice = MADV_FREE
        #endif
    }

    /// The arena behind a lock: tensors die on any thread.
    private final class LockedArena: @unchecked Sendable {
        private let lock = NSLock()
        private var arena: Arena

        init(_ arena: Arena) { self.arena = arena }

        func withLock<Result>(_ body: (inout Arena) -> Result) -> Result {
            lock.lock()
            defer { lock.unlock() }
            return body(&arena)
        }
    }
}
