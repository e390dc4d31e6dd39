/// An n-dimensional array of `Float` in contiguous row-major (C) order.
///
/// `Tensor` is a value: copies share storage until one of them is mutated
/// (copy-on-write). Shapes follow PyTorch's conventions (NCHW for images);
/// a rank-0 tensor holds one scalar. Operations that would produce strided
/// views in PyTorch (`permuted`, `transposed`, slicing) return contiguous
/// copies here, so every kernel sees dense memory; `reshaped` shares storage.
public struct Tensor {
    /// Extent of each axis, outermost first.
    public private(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage

    /// Wraps existing storage; `shape` must describe exactly its element count.
    @usableFromInline
    init(shape: [Int], storage: TensorStorage) {
        self.shape = shape
        self.storage = storage
    }

    /// A tensor whose elements are not initialised (PyTorch's `torch.empty`):
    /// for kernels that write every element before anyone reads it.
    @inlinable
    public static func empty(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(uninitializedCount: Tensor.elementCount(of: shape)))
    }

    /// A tensor of the given shape with every element equal to `value`.
    public init(shape: [Int], repeating value: Float) {
        self = Tensor.empty(shape)
        storage.base.initialize(repeating: value, count: storage.count)
    }

    /// A tensor of the given shape holding `scalars` in row-major order.
    ///
    /// - Precondition: `scalars.count` equals the product of `shape`.
    public init(shape: [Int], scalars: [Float]) {
        let count = Tensor.elementCount(of: shape)
        precondition(
            scalars.count == count,
            "Tensor(shape: \(shape)) needs \(count) scalars, got \(scalars.count)")
        self = Tensor.empty(shape)
        scalars.withUnsafeBufferPointer { storage.base.update(from: $0.baseAddress!, count: count) }
    }

    /// A rank-1 tensor holding `scalars`.
    public init(_ scalars: [Float]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A rank-0 tensor holding one scalar.
    public init(_ scalar: Float) {
        self.init(shape: [], repeating: scalar)
    }

    /// Number of axes.
    @inlinable public var rank: Int { shape.count }

    /// Number of elements (the product of `shape`; 1 for rank 0).
    @inlinable public var count: Int { storage.count }

    /// All elements in row-major order.
    public var scalars: [Float] {
        withUnsafeBufferPointer { Array($0) }
    }

    /// The single element of a one-element tensor.
    ///
    /// - Precondition: `count == 1`.
    public var item: Float {
        precondition(count == 1, "Tensor.item needs exactly one element, shape is \(shape)")
        return storage.base[0]
    }

    /// Reads or writes one element by its multi-index (slow path: for tests and tools).
    public subscript(indices: Int...) -> Float {
        get { storage.base[flatIndex(indices)] }
        set {
            let offset = flatIndex(indices)
            makeUnique()
            storage.base[offset] = newValue
        }
    }

    /// Calls `body` with the elements in row-major order.
    @inlinable
    public func withUnsafeBufferPointer<Result>(
        _ body: (UnsafeBufferPointer<Float>) throws -> Result
    ) rethrows -> Result {
        try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    /// Calls `body` with mutable access to the elements, copying the storage
    /// first when another tensor shares it.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<Result>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> Result
    ) rethrows -> Result {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
    }

    /// Gives this tensor storage of its own if it shares it with another.
    @inlinable
    public mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy()
        }
    }

    /// The same elements viewed with another shape of equal element count;
    /// one axis may be `-1` and is then inferred. Shares storage.
    ///
    /// - Precondition: the element counts agree.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: Tensor.resolve(newShape, count: count, from: shape), storage: storage)
    }

    private func flatIndex(_ indices: [Int]) -> Int {
        precondition(indices.count == rank, "Tensor subscript: \(indices.count) indices for shape \(shape)")
        var offset = 0
        for (axis, index) in indices.enumerated() {
            precondition(
                index >= 0 && index < shape[axis],
                "Tensor subscript: index \(index) out of range 0..<\(shape[axis]) on axis \(axis) of shape \(shape)")
            offset = offset * shape[axis] + index
        }
        return offset
    }

    private static func resolve(_ newShape: [Int], count: Int, from shape: [Int]) -> [Int] {
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        precondition(inferred.count <= 1, "reshaped(\(newShape)): at most one axis may be -1")
        precondition(newShape.allSatisfy { $0 >= -1 }, "reshaped(\(newShape)): negative extent")
        var resolved = newShape
        if let axis = inferred.first {
            let known = newShape.filter { $0 != -1 }.reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshaped(\(newShape)): cannot infer -1 for \(count) elements of \(shape)")
            resolved[axis] = count / known
        }
        precondition(
            elementCount(of: resolved) == count,
            "reshaped(\(newShape)): \(count) elements of shape \(shape) do not fit")
        return resolved
    }

    /// Product of the extents (1 for the empty shape).
    ///
    /// - Precondition: no extent is negative.
    @inlinable
    public static func elementCount(of shape: [Int]) -> Int {
        var product = 1
        for extent in shape {
            precondition(extent >= 0, "Tensor shape \(shape) has a negative extent")
            product *= extent
        }
        return product
    }

    /// Row-major strides (in elements) of a contiguous tensor of this shape.
    @inlinable
    public static func contiguousStrides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var stride = 1
        for axis in shape.indices.reversed() {
            strides[axis] = stride
            stride *= shape[axis]
        }
        return strides
    }
}

extension Tensor: Equatable {
    /// Same shape and bit-for-bit equal elements (NaN differs from NaN, as for `Float`).
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape else { return false }
        if lhs.storage === rhs.storage { return !lhs.scalars.contains { $0.isNaN } }
        return lhs.withUnsafeBufferPointer { a in
            rhs.withUnsafeBufferPointer { b in a.elementsEqual(b) }
        }
    }
}

extension Tensor: CustomStringConvertible {
    /// Shape and up to the first eight elements.
    public var description: String {
        let shown = withUnsafeBufferPointer { $0.prefix(8).map { "\($0)" } }
        let more = count > 8 ? ", … (\(count) elements)" : ""
        return "Tensor(shape: \(shape), [\(shown.joined(separator: ", "))\(more)])"
    }
}
