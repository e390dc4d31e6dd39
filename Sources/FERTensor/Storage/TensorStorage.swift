#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reference-counted, 64-byte aligned buffer of `Float` that backs tensors.
///
/// `Tensor` wraps it with copy-on-write value semantics; kernels take its raw
/// pointer once, outside their loops.
@usableFromInline
final class TensorStorage {
    /// Alignment of every buffer, in bytes: one cache line, one AVX-512 register.
    @usableFromInline static let alignment = 64

    /// First element. Valid for `count` elements while the storage lives.
    @usableFromInline let base: UnsafeMutablePointer<Float>
    /// Number of elements.
    @usableFromInline let count: Int

    /// Allocates `count` uninitialised elements.
    @usableFromInline
    init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        let raw = TensorMemory.allocate(bytes: TensorStorage.bytes(count), alignment: TensorStorage.alignment)
        base = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
        self.count = count
    }

    /// A new storage holding a copy of this one's elements.
    @usableFromInline
    func copy() -> TensorStorage {
        let result = TensorStorage(uninitializedCount: count)
        result.base.update(from: base, count: count)
        return result
    }

    /// Bytes allocated for `count` elements.
    private static func bytes(_ count: Int) -> Int { Swift.max(count, 1) * MemoryLayout<Float>.stride }

    deinit {
        TensorMemory.release(UnsafeMutableRawPointer(base), bytes: TensorStorage.bytes(count))
    }
}
