import Foundation

/// Reusable aligned scratch buffers for kernels (im2col columns, packed
/// gradients), so that steady-state training allocates no temporary memory.
///
/// Thread-safe: a buffer is taken out of the pool for the duration of a call
/// and returned afterwards; the pool keeps a few buffers for reuse.
public final class ScratchPool: @unchecked Sendable {
    /// The pool kernels use.
    public static let shared = ScratchPool()

    private let lock = NSLock()
    private var free: [TensorStorage] = []
    private let keptBuffers = 8

    /// Calls `body` with an uninitialised buffer of at least `count` floats.
    public func withBuffer<Result>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> Result) rethrows -> Result {
        let storage = take(count: count)
        defer { give(storage) }
        return try body(storage.base)
    }

    private func take(count: Int) -> TensorStorage {
        lock.lock()
        defer { lock.unlock() }
        if let index = free.firstIndex(where: { $0.count >= count }) {
            return free.remove(at: index)
        }
        return TensorStorage(uninitializedCount: count)
    }

    private func give(_ storage: TensorStorage) {
        lock.lock()
        defer { lock.unlock() }
        free.append(storage)
        if free.count > keptBuffers {
            free.remove(at: free.indices.min { free[$0].count < free[$1].count }!)
        }
    }
}
