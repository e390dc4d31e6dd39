extension Tensor {
    /// The shape two operands broadcast to under NumPy / PyTorch rules, or
    /// `nil` when they are incompatible.
    ///
    /// Shapes are aligned at their trailing axes; a missing leading axis
    /// counts as extent 1, and on each axis the extents must be equal or one
    /// of them 1 (an extent-1 axis may also broadcast to 0).
    public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = Swift.max(a.count, b.count)
        var shape = [Int](repeating: 1, count: rank)
        for axis in 0..<rank {
            let x = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
            let y = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
            if x == y || y == 1 {
                shape[axis] = x
            } else if x == 1 {
                shape[axis] = y
            } else {
                return nil
            }
        }
        return shape
    }

    /// The sum of this tensor over the axes that broadcasting `shape` to
    /// `self.shape` expanded, reshaped to `shape`: the gradient of a broadcast
    /// operand from the gradient of the result.
    ///
    /// - Precondition: `shape` broadcasts to `self.shape`.
    public func sumReduced(toShape shape: [Int]) -> Tensor {
        precondition(
            shape.count <= rank && Tensor.broadcastShape(shape, self.shape) == self.shape,
            "sumReduced(toShape: \(shape)): that shape does not broadcast to \(self.shape)")
        let lead = rank - shape.count
        var axes = Array(0..<lead)
        for axis in shape.indices where shape[axis] == 1 && self.shape[lead + axis] != 1 {
            axes.append(lead + axis)
        }
        if axes.isEmpty { return reshaped(shape) }
        return sum(alongAxes: axes, keepingDimensions: true).reshaped(shape)
    }

    /// This tensor broadcast to `shape` and materialised (PyTorch's
    /// `expand(...).contiguous()`).
    ///
    /// - Precondition: `self.shape` broadcasts to `shape`.
    public func expanded(to shape: [Int]) -> Tensor {
        precondition(
            Tensor.broadcastShape(self.shape, shape) == shape,
            "expanded(to: \(shape)): shape \(self.shape) does not broadcast to it")
        if shape == self.shape { return self }
        let result = Tensor.empty(shape)
        withUnsafeBufferPointer { source in
            Elementwise.copy(
                StridedLoop(broadcasting: [self.shape], to: shape), from: source.baseAddress!, to: result.storage.base)
        }
        return result
    }

    /// The broadcast shape of `a` and `b`, or a precondition failure naming `operation`.
    static func broadcastShapeOrFail(_ a: [Int], _ b: [Int], _ operation: String) -> [Int] {
        guard let shape = broadcastShape(a, b) else {
            preconditionFailure("\(operation): shapes \(a) and \(b) cannot be broadcast together")
        }
        return shape
    }

    /// `operation(a, b)` elementwise with broadcasting, into a new tensor.
    ///
    /// The operands' layout is collapsed by `StridedLoop`, which turns the
    /// common cases into fast paths: equal shapes and scalar operands become
    /// one long run (split across workers); an operand broadcast along
    /// leading axes (a bias) becomes rows over one repeating block; other
    /// layouts step an odometer over the outer axes and run the innermost
    /// contiguous axis in a tight loop (`Elementwise.binaryRun`).
    static func broadcasting<Operation: BinaryFloatOperation>(
        _ a: Tensor, _ b: Tensor, _ operation: Operation, name: String
    ) -> Tensor {
        let shape = broadcastShapeOrFail(a.shape, b.shape, name)
        let result = Tensor.empty(shape)
        Elementwise.apply(operation, a, b, into: result.storage.base, shape: shape)
        return result
    }

    /// `self = operation(self, other)` with broadcasting, in place when this
    /// tensor's storage is unique and already has the broadcast shape.
    mutating func updateBroadcasting<Operation: BinaryFloatOperation>(
        _ other: Tensor, _ operation: Operation, name: String
    ) {
        let shape = Tensor.broadcastShapeOrFail(self.shape, other.shape, name)
        if shape == self.shape && isKnownUniquelyReferenced(&storage) {
            Elementwise.apply(operation, self, other, into: storage.base, shape: shape)
        } else {
            self = Tensor.broadcasting(self, other, operation, name: name)
        }
    }

    /// `operation(a, b, c)` elementwise with broadcasting over all three, into a new tensor.
    static func broadcasting<Operation: TernaryFloatOperation>(
        _ a: Tensor, _ b: Tensor, _ c: Tensor, _ operation: Operation, name: String
    ) -> Tensor {
        let shape = broadcastShapeOrFail(broadcastShapeOrFail(a.shape, b.shape, name), c.shape, name)
        let result = Tensor.empty(shape)
        Elementwise.apply(operation, a, b, c, into: result.storage.base, shape: shape)
        return result
    }
}
