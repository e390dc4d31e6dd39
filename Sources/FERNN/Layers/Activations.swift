import FERTensor

/// `max(x, 0)`, as `torch.nn.ReLU`.
public final class ReLU: Module, UnaryLayer {
    public override init() { super.init() }
    /// Applies ReLU.
    public func callAsFunction(_ input: Variable) -> Variable { input.relu() }
}

/// Gaussian error linear unit, as `torch.nn.GELU` (exact by default).
public final class GELU: Module, UnaryLayer {
    /// Exact (erf) or tanh approximation.
    public let approximation: GELUApproximation
    /// A GELU with the given approximation.
    public init(approximation: GELUApproximation = .exact) {
        self.approximation = approximation
        super.init()
    }
    /// Applies GELU.
    public func callAsFunction(_ input: Variable) -> Variable { input.gelu(approximation: approximation) }
}

/// The logistic function, as `torch.nn.Sigmoid`.
public final class Sigmoid: Module, UnaryLayer {
    public override init() { super.init() }
    /// Applies the sigmoid.
    public func callAsFunction(_ input: Variable) -> Variable { input.sigmoid() }
}

/// Hyperbolic tangent, as `torch.nn.Tanh`.
public final class Tanh: Module, UnaryLayer {
    public override init() { super.init() }
    /// Applies tanh.
    public func callAsFunction(_ input: Variable) -> Variable { input.tanh() }
}

/// Softmax along one axis, as `torch.nn.Softmax(dim:)`.
public final class Softmax: Module, UnaryLayer {
    /// The axis that sums to one.
    public let axis: Int
    /// A softmax along `axis`.
    public init(axis: Int = -1) {
        self.axis = axis
        super.init()
    }
    /// Applies the softmax.
    public func callAsFunction(_ input: Variable) -> Variable { input.softmax(alongAxis: axis) }
}
