struct AddOperation: BinaryFloatOperation {
    @inline(__always) func apply(_ a: Float, _ b: Float) -> Float { a + b }
}

struct SubtractOperation: BinaryFloatOperation {
    @inline(__always) func apply(_ a: Float, _ b: Float) -> Float { a - b }
}

struct MultiplyOperation: BinaryFloatOperation {
    @inline(__always) func apply(_ a: Float, _ b: Float) -> Float { a * b }
}

struct DivideOperation: BinaryFloatOperation {
    @inline(__always) func apply(_ a: Float, _ b: Float) -> Float { a / b }
}

/// `a + b * c`, rounded twice (no hardware FMA on the baseline target).
struct AddProductOperation: TernaryFloatOperation {
    @inline(__always) func apply(_ a: Float, _ b: Float, _ c: Float) -> Float { a + b * c }
}

extension Tensor {
    /// Elementwise sum with broadcasting.
    ///
    /// - Precondition: the shapes broadcast (see `broadcastShape`).
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        broadcasting(lhs, rhs, AddOperation(), name: "+")
    }

    /// Elementwise difference with broadcasting.
    ///
    /// - Precondition: the shapes broadcast.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        broadcasting(lhs, rhs, SubtractOperation(), name: "-")
    }

    /// Elementwise product with broadcasting.
    ///
    /// - Precondition: the shapes broadcast.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        broadcasting(lhs, rhs, MultiplyOperation(), name: "*")
    }

    /// Elementwise quotient with broadcasting (IEEE: `x / 0` is ±inf or NaN).
    ///
    /// - Precondition: the shapes broadcast.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
        broadcasting(lhs, rhs, DivideOperation(), name: "/")
    }

    /// Adds `rhs` to every element.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs + Tensor(rhs) }
    /// Subtracts `rhs` from every element.
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs - Tensor(rhs) }
    /// Multiplies every element by `rhs`.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs * Tensor(rhs) }
    /// Divides every element by `rhs`.
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs / Tensor(rhs) }

    /// `lhs` plus every element.
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) + rhs }
    /// `lhs` minus every element.
    public static func - (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) - rhs }
    /// `lhs` times every element.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) * rhs }
    /// `lhs` divided by every element.
    public static func / (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) / rhs }

    /// Adds `rhs` (broadcast to `lhs`'s shape or together with it); in place
    /// when `lhs` owns its storage and keeps its shape.
    ///
    /// - Precondition: the shapes broadcast.
    public static func += (lhs: inout Tensor, rhs: Tensor) {
        lhs.updateBroadcasting(rhs, AddOperation(), name: "+=")
    }

    /// Subtracts `rhs`, in place when possible (see `+=`).
    public static func -= (lhs: inout Tensor, rhs: Tensor) {
        lhs.updateBroadcasting(rhs, SubtractOperation(), name: "-=")
    }

    /// Multiplies by `rhs`, in place when possible (see `+=`).
    public static func *= (lhs: inout Tensor, rhs: Tensor) {
        lhs.updateBroadcasting(rhs, MultiplyOperation(), name: "*=")
    }

    /// Divides by `rhs`, in place when possible (see `+=`).
    public static func /= (lhs: inout Tensor, rhs: Tensor) {
        lhs.updateBroadcasting(rhs, DivideOperation(), name: "/=")
    }

    /// Adds `rhs` to every element, in place when `lhs` owns its storage.
    public static func += (lhs: inout Tensor, rhs: Float) { lhs += Tensor(rhs) }
    /// Subtracts `rhs` from every element, in place when possible.
    public static func -= (lhs: inout Tensor, rhs: Float) { lhs -= Tensor(rhs) }
    /// Multiplies every element by `rhs`, in place when possible.
    public static func *= (lhs: inout Tensor, rhs: Float) { lhs *= Tensor(rhs) }
    /// Divides every element by `rhs`, in place when possible.
    public static func /= (lhs: inout Tensor, rhs: Float) { lhs /= Tensor(rhs) }

    /// `self + lhs * rhs` elementwise with broadcasting over all three, in one
    /// pass without an intermediate tensor (like `torch.addcmul` with value 1).
    ///
    /// - Precondition: the three shapes broadcast together.
    public func addingProduct(_ lhs: Tensor, _ rhs: Tensor) -> Tensor {
        Tensor.broadcasting(self, lhs, rhs, AddProductOperation(), name: "addingProduct")
    }

    /// `self + lhs * rhs` elementwise with broadcasting.
    public func addingProduct(_ lhs: Tensor, _ rhs: Float) -> Tensor {
        addingProduct(lhs, Tensor(rhs))
    }
}
