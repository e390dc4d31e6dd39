struct EqualOperation: BinaryFloatOperation {
    @inline(__always) func apply(_ a: Float, _ b: Float) -> Float { a == b ? 1 : 0 }
}

struct GreaterOperation: BinaryFloatOperation {
    @inline(__always) func apply(_ a: Float, _ b: Float) -> Float { a > b ? 1 : 0 }
}

struct GreaterOrEqualOperation: BinaryFloatOperation {
    @inline(__always) func apply(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 }
}

struct LessOperation: BinaryFloatOperation {
    @inline(__always) func apply(_ a: Float, _ b: Float) -> Float { a < b ? 1 : 0 }
}

struct LessOrEqualOperation: BinaryFloatOperation {
    @inline(__always) func apply(_ a: Float, _ b: Float) -> Float { a <= b ? 1 : 0 }
}

/// `condition != 0 ? a : b` (NaN counts as nonzero, hence true).
struct SelectOperation: TernaryFloatOperation {
    @inline(__always) func apply(_ condition: Float, _ a: Float, _ b: Float) -> Float { condition != 0 ? a : b }
}

extension Tensor {
    /// 1 where the elements are equal, 0 elsewhere (NaN equals nothing), with broadcasting.
    ///
    /// - Precondition: the shapes broadcast.
    public func isEqual(to other: Tensor) -> Tensor {
        Tensor.broadcasting(self, other, EqualOperation(), name: "isEqual(to:)")
    }

    /// 1 where an element equals `value`, 0 elsewhere.
    public func isEqual(to value: Float) -> Tensor { isEqual(to: Tensor(value)) }

    /// 1 where `self > other` elementwise, 0 elsewhere, with broadcasting.
    ///
    /// - Precondition: the shapes broadcast.
    public func isGreater(than other: Tensor) -> Tensor {
        Tensor.broadcasting(self, other, GreaterOperation(), name: "isGreater(than:)")
    }

    /// 1 where an element is greater than `value`, 0 elsewhere.
    public func isGreater(than value: Float) -> Tensor { isGreater(than: Tensor(value)) }

    /// 1 where `self >= other` elementwise, 0 elsewhere, with broadcasting.
    ///
    /// - Precondition: the shapes broadcast.
    public func isGreaterOrEqual(to other: Tensor) -> Tensor {
        Tensor.broadcasting(self, other, GreaterOrEqualOperation(), name: "isGreaterOrEqual(to:)")
    }

    /// 1 where an element is at least `value`, 0 elsewhere.
    public func isGreaterOrEqual(to value: Float) -> Tensor { isGreaterOrEqual(to: Tensor(value)) }

    /// 1 where `self < other` elementwise, 0 elsewhere, with broadcasting.
    ///
    /// - Precondition: the shapes broadcast.
    public func isLess(than other: Tensor) -> Tensor {
        Tensor.broadcasting(self, other, LessOperation(), name: "isLess(than:)")
    }

    /// 1 where an element is less than `value`, 0 elsewhere.
    public func isLess(than value: Float) -> Tensor { isLess(than: Tensor(value)) }

    /// 1 where `self <= other` elementwise, 0 elsewhere, with broadcasting.
    ///
    /// - Precondition: the shapes broadcast.
    public func isLessOrEqual(to other: Tensor) -> Tensor {
        Tensor.broadcasting(self, other, LessOrEqualOperation(), name: "isLessOrEqual(to:)")
    }

    /// 1 where an element is at most `value`, 0 elsewhere.
    public func isLessOrEqual(to value: Float) -> Tensor { isLessOrEqual(to: Tensor(value)) }

    /// Elementwise choice, as `torch.where`: `a` where `condition` is nonzero,
    /// `b` elsewhere, with the three shapes broadcast together.
    ///
    /// - Precondition: the three shapes broadcast.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        broadcasting(condition, a, b, SelectOperation(), name: "where")
    }

    /// `torch.where` with a scalar for the unselected elements.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Float) -> Tensor {
        `where`(condition, a, Tensor(b))
    }

    /// `torch.where` with a scalar for the selected elements.
    public static func `where`(_ condition: Tensor, _ a: Float, _ b: Tensor) -> Tensor {
        `where`(condition, Tensor(a), b)
    }
}
