#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How `gelu` evaluates the Gaussian CDF, as PyTorch's `approximate` argument.
public enum GELUApproximation: Sendable {
    /// `x * Φ(x) = 0.5 x (1 + erf(x / √2))`: PyTorch's default (`approximate='none'`).
    case exact
    /// `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`: PyTorch's `approximate='tanh'`.
    case tanh
}

struct ExpOperation: UnaryFloatOperation {
    @inline(__always) func apply(_ x: Float) -> Float { expf(x) }
}

struct LogOperation: UnaryFloatOperation {
    @inline(__always) func apply(_ x: Float) -> Float { logf(x) }
}

struct SquareRootOperation: UnaryFloatOperation {
    @inline(__always) func apply(_ x: Float) -> Float { x.squareRoot() }
}

struct ReciprocalSquareRootOperation: UnaryFloatOperation {
    @inline(__always) func apply(_ x: Float) -> Float { 1 / x.squareRoot() }
}

struct TanhOperation: UnaryFloatOperation {
    @inline(__always) func apply(_ x: Float) -> Float { tanhf(x) }
}

/// `1 / (1 + e^-x)`, evaluated through `e^-|x|` so it never overflows.
struct SigmoidOperation: UnaryFloatOperation {
    @inline(__always) func apply(_ x: Float) -> Float {
        let e = expf(-Swift.abs(x))
        return x >= 0 ? 1 / (1 + e) : e / (1 + e)
    }
}

struct ReLUOperation: UnaryFloatOperation {
    /// NaN passes through (`x < 0` is false for it), as in PyTorch.
    @inline(__always) func apply(_ x: Float) -> Float { x < 0 ? 0 : x }
}

struct ExactGELUOperation: UnaryFloatOperation {
    @inline(__always) func apply(_ x: Float) -> Float { 0.5 * x * (1 + erff(x * 0.70710678118654752)) }
}

struct TanhGELUOperation: UnaryFloatOperation {
    @inline(__always) func apply(_ x: Float) -> Float {
        0.5 * x * (1 + tanhf(0.79788456080286536 * (x + 0.044715 * x * x * x)))
    }
}

struct AbsoluteValueOperation: UnaryFloatOperation {
    @inline(__always) func apply(_ x: Float) -> Float { Swift.abs(x) }
}

struct SquareOperation: UnaryFloatOperation {
    @inline(__always) func apply(_ x: Float) -> Float { x * x }
}

struct PowerOperation: UnaryFloatOperation {
    let exponent: Float
    @inline(__always) func apply(_ x: Float) -> Float { powf(x, exponent) }
}

/// `min(max(x, lower), upper)`: with `lower > upper` every element becomes `upper`, as in PyTorch.
struct ClampOperation: UnaryFloatOperation {
    let lower: Float
    let upper: Float
    @inline(__always) func apply(_ x: Float) -> Float {
        let raised = x < lower ? lower : x
        return raised > upper ? upper : raised
    }
}

struct ReciprocalOperation: UnaryFloatOperation {
    @inline(__always) func apply(_ x: Float) -> Float { 1 / x }
}

struct NegateOperation: UnaryFloatOperation {
    @inline(__always) func apply(_ x: Float) -> Float { -x }
}

extension Tensor {
    /// A new tensor of the same shape with `operation` applied to every element.
    func mapped<Operation: UnaryFloatOperation>(_ operation: Operation) -> Tensor {
        let result = Tensor.empty(shape)
        Elementwise.map(operation, storage.base, into: result.storage.base, count: count)
        return result
    }

    /// `e^x` elementwise.
    public func exp() -> Tensor { mapped(ExpOperation()) }

    /// Natural logarithm elementwise (`-inf` at 0, NaN below).
    public func log() -> Tensor { mapped(LogOperation()) }

    /// Square root elementwise (NaN below 0).
    public func sqrt() -> Tensor { mapped(SquareRootOperation()) }

    /// `1 / √x` elementwise.
    public func rsqrt() -> Tensor { mapped(ReciprocalSquareRootOperation()) }

    /// Hyperbolic tangent elementwise.
    public func tanh() -> Tensor { mapped(TanhOperation()) }

    /// Logistic function `1 / (1 + e^-x)` elementwise, computed without
    /// overflow for large `|x|`.
    public func sigmoid() -> Tensor { mapped(SigmoidOperation()) }

    /// `max(x, 0)` elementwise.
    public func relu() -> Tensor { mapped(ReLUOperation()) }

    /// Gaussian error linear unit elementwise; exact (erf) by default, as PyTorch.
    public func gelu(approximation: GELUApproximation = .exact) -> Tensor {
        switch approximation {
        case .exact: return mapped(ExactGELUOperation())
        case .tanh: return mapped(TanhGELUOperation())
        }
    }

    /// `|x|` elementwise.
    public func abs() -> Tensor { mapped(AbsoluteValueOperation()) }

    /// `x * x` elementwise.
    public func squared() -> Tensor { mapped(SquareOperation()) }

    /// `x` raised to `exponent` elementwise (C `powf` semantics: a negative
    /// base with a non-integer exponent gives NaN).
    public func pow(_ exponent: Float) -> Tensor {
        exponent == 2 ? squared() : mapped(PowerOperation(exponent: exponent))
    }

    /// Each element limited to `[min, max]`; a `nil` bound is not applied.
    /// With `min > max` every element becomes `max`, as `torch.clamp`.
    public func clamped(min: Float? = nil, max: Float? = nil) -> Tensor {
        mapped(ClampOperation(lower: min ?? -.infinity, upper: max ?? .infinity))
    }

    /// `1 / x` elementwise.
    public func reciprocal() -> Tensor { mapped(ReciprocalOperation()) }

    /// Every element negated.
    public static prefix func - (operand: Tensor) -> Tensor { operand.mapped(NegateOperation()) }
}
