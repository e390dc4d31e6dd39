#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FERTensor

// Elementwise functions of one variable. Each backward multiplies the output
// gradient by the derivative, evaluated in one pass from a saved tensor: the
// output where the derivative is cheapest in terms of it (exp, tanh,
// sigmoid, sqrt, rsqrt, reciprocal, relu), the input otherwise. Derivatives
// are small structs rather than closures so that the backward loop is
// specialised for each one (a closure call per element is several times slower).

/// The derivative of an elementwise function at one element, from the saved
/// input or output at that element.
protocol ElementwiseDerivative {
    func callAsFunction(_ saved: Float) -> Float
}

/// exp' = exp, from the output.
struct ExpDerivative: ElementwiseDerivative {
    @inline(__always) func callAsFunction(_ y: Float) -> Float { y }
}

/// log'(x) = 1 / x, from the input.
struct LogDerivative: ElementwiseDerivative {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { 1 / x }
}

/// sqrt' = 1 / (2 √x), from the output.
struct SquareRootDerivative: ElementwiseDerivative {
    @inline(__always) func callAsFunction(_ y: Float) -> Float { 0.5 / y }
}

/// rsqrt'(x) = -x^(-3/2) / 2 = -y³ / 2, from the output.
struct ReciprocalSquareRootDerivative: ElementwiseDerivative {
    @inline(__always) func callAsFunction(_ y: Float) -> Float { -0.5 * y * y * y }
}

/// tanh' = 1 - y², from the output.
struct TanhDerivative: ElementwiseDerivative {
    @inline(__always) func callAsFunction(_ y: Float) -> Float { 1 - y * y }
}

/// sigmoid' = y (1 - y), from the output.
struct SigmoidDerivative: ElementwiseDerivative {
    @inline(__always) func callAsFunction(_ y: Float) -> Float { y * (1 - y) }
}

/// relu' = 1 where the output is positive, else 0 (also at 0, as PyTorch).
struct ReLUDerivative: ElementwiseDerivative {
    @inline(__always) func callAsFunction(_ y: Float) -> Float { y > 0 ? 1 : 0 }
}

/// Exact GELU' = Φ(x) + x φ(x), from the input.
struct ExactGELUDerivative: ElementwiseDerivative {
    @inline(__always) func callAsFunction(_ x: Float) -> Float {
        let cumulative = 0.5 * (1 + erff(x * 0.70710678118654752))
        let density = 0.39894228040143268 * expf(-0.5 * x * x)
        return cumulative + x * density
    }
}

/// Tanh-approximated GELU' = (1 + t) / 2 + x (1 - t²) √(2/π) (1 + 3 · 0.044715 x²) / 2
/// with `t = tanh(√(2/π) (x + 0.044715 x³))`, from the input (PyTorch's `gelu_backward`).
struct TanhGELUDerivative: ElementwiseDerivative {
    @inline(__always) func callAsFunction(_ x: Float) -> Float {
        let scale: Float = 0.79788456080286536, cubic: Float = 0.044715
        let t = tanhf(scale * (x + cubic * x * x * x))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * scale * (1 + 3 * cubic * x * x)
    }
}

/// |x|' = sign(x), 0 at 0 (as PyTorch), from the input.
struct SignDerivative: ElementwiseDerivative {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}

/// (x²)' = 2x, from the input.
struct SquareDerivative: ElementwiseDerivative {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { 2 * x }
}

/// (x^p)' = p x^(p - 1), and 0 for p = 0 (as PyTorch), from the input.
struct PowerDerivative: ElementwiseDerivative {
    let exponent: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { exponent == 0 ? 0 : exponent * powf(x, exponent - 1) }
}

/// clamp' = 1 inside `[lower, upper]` (bounds included, as PyTorch), else 0; from the input.
struct ClampDerivative: ElementwiseDerivative {
    let lower: Float
    let upper: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x >= lower && x <= upper ? 1 : 0 }
}

/// (1/x)' = -1 / x² = -y², from the output.
struct ReciprocalDerivative: ElementwiseDerivative {
    @inline(__always) func callAsFunction(_ y: Float) -> Float { -y * y }
}

extension Variable {
    /// `e^x` elementwise; derivative `e^x`.
    public func exp() -> Variable {
        let output = value.exp()
        return elementwise(output, name: "exp", saved: output, ExpDerivative())
    }

    /// Natural logarithm elementwise; derivative `1 / x`.
    public func log() -> Variable {
        elementwise(value.log(), name: "log", saved: value, LogDerivative())
    }

    /// Square root elementwise; derivative `1 / (2 √x)` (infinite at 0, as in PyTorch).
    public func sqrt() -> Variable {
        let output = value.sqrt()
        return elementwise(output, name: "sqrt", saved: output, SquareRootDerivative())
    }

    /// `1 / √x` elementwise; derivative `-x^(-3/2) / 2`.
    public func rsqrt() -> Variable {
        let output = value.rsqrt()
        return elementwise(output, name: "rsqrt", saved: output, ReciprocalSquareRootDerivative())
    }

    /// Hyperbolic tangent elementwise; derivative `1 - tanh²`.
    public func tanh() -> Variable {
        let output = value.tanh()
        return elementwise(output, name: "tanh", saved: output, TanhDerivative())
    }

    /// Logistic function elementwise; derivative `σ (1 - σ)`.
    public func sigmoid() -> Variable {
        let output = value.sigmoid()
        return elementwise(output, name: "sigmoid", saved: output, SigmoidDerivative())
    }

    /// `max(x, 0)`; the gradient at 0 is 0, as in PyTorch.
    public func relu() -> Variable {
        let output = value.relu()
        return elementwise(output, name: "relu", saved: output, ReLUDerivative())
    }

    /// Gaussian error linear unit, exact (erf) by default, as `Tensor.gelu`;
    /// the derivative of the chosen form, as PyTorch's `gelu_backward`.
    public func gelu(approximation: GELUApproximation = .exact) -> Variable {
        let output = value.gelu(approximation: approximation)
        switch approximation {
        case .exact: return elementwise(output, name: "gelu", saved: value, ExactGELUDerivative())
        case .tanh: return elementwise(output, name: "gelu(tanh)", saved: value, TanhGELUDerivative())
        }
    }

    /// `|x|` elementwise; the gradient is the sign of `x` (0 at 0, as in PyTorch).
    public func abs() -> Variable {
        elementwise(value.abs(), name: "abs", saved: value, SignDerivative())
    }

    /// `x * x` elementwise; derivative `2x`.
    public func squared() -> Variable {
        elementwise(value.squared(), name: "squared", saved: value, SquareDerivative())
    }

    /// `x` raised to `exponent` elementwise; derivative `exponent · x^(exponent - 1)`
    /// (0 everywhere for exponent 0, as in PyTorch).
    public func pow(_ exponent: Float) -> Variable {
        elementwise(value.pow(exponent), name: "pow", saved: value, PowerDerivative(exponent: exponent))
    }

    /// Each element limited to `[min, max]` (a `nil` bound is not applied), as
    /// `Tensor.clamped`. The gradient passes where `min <= x <= max` (bounds
    /// included, as PyTorch) and is 0 elsewhere; with `min > max` it is 0 everywhere.
    public func clamped(min: Float? = nil, max: Float? = nil) -> Variable {
        let derivative = ClampDerivative(lower: min ?? -.infinity, upper: max ?? .infinity)
        return elementwise(value.clamped(min: min, max: max), name: "clamped", saved: value, derivative)
    }

    /// `1 / x` elementwise; derivative `-1 / x²`.
    public func reciprocal() -> Variable {
        let output = value.reciprocal()
        return elementwise(output, name: "reciprocal", saved: output, ReciprocalDerivative())
    }

    /// Records an elementwise operation of this variable whose backward is
    /// `gradient * derivative(saved)` element by element.
    ///
    /// - Parameters:
    ///   - output: the operation's value (same shape as this variable).
    ///   - saved: the tensor the derivative is a function of (input or output).
    private func elementwise<Derivative: ElementwiseDerivative>(
        _ output: Tensor, name: String, saved: Tensor, _ derivative: Derivative
    ) -> Variable {
        Variable.record(output, name: name, inputs: [self]) { gradient in
            [Variable.chained(gradient, saved, derivative)]
        }
    }

    /// `gradient[i] * derivative(saved[i])` for every element, in parallel chunks.
    static func chained<Derivative: ElementwiseDerivative>(
        _ gradient: Tensor, _ saved: Tensor, _ derivative: Derivative
    ) -> Tensor {
        precondition(gradient.shape == saved.shape, "autograd: gradient \(gradient.shape) does not match saved \(saved.shape)")
        var result = Tensor.empty(gradient.shape)
        result.withUnsafeMutableBufferPointer { output in
            gradient.withUnsafeBufferPointer { upstream in
                saved.withUnsafeBufferPointer { saved in
                    Parallel.forRanges(output.count, minimumChunk: 1 << 14) { _, range in
                        for index in range { output[index] = upstream[index] * derivative(saved[index]) }
                    }
                }
            }
        }
        return result
    }
}
