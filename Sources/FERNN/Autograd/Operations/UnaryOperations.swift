#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FERTensor

// Elementwise functions of one variable. Each backward multiplies the output
// gradient by the derivative, evaluated in one pass from a saved tensor: the
// output where the derivative is cheapest in terms of it (exp, tanh,
// sigmoid, sqrt, rsqrt, reciprocal, relu), the input otherwise.

extension Variable {
    /// `e^x` elementwise; derivative `e^x`.
    public func exp() -> Variable {
        let output = value.exp()
        return elementwise(output, name: "exp", saved: output) { $0 }
    }

    /// Natural logarithm elementwise; derivative `1 / x`.
    public func log() -> Variable {
        elementwise(value.log(), name: "log", saved: value) { 1 / $0 }
    }

    /// Square root elementwise; derivative `1 / (2 √x)` (infinite at 0, as in PyTorch).
    public func sqrt() -> Variable {
        let output = value.sqrt()
        return elementwise(output, name: "sqrt", saved: output) { 0.5 / $0 }
    }

    /// `1 / √x` elementwise; derivative `-x^(-3/2) / 2 = -y³ / 2`.
    public func rsqrt() -> Variable {
        let output = value.rsqrt()
        return elementwise(output, name: "rsqrt", saved: output) { -0.5 * $0 * $0 * $0 }
    }

    /// Hyperbolic tangent elementwise; derivative `1 - y²`.
    public func tanh() -> Variable {
        let output = value.tanh()
        return elementwise(output, name: "tanh", saved: output) { 1 - $0 * $0 }
    }

    /// Logistic function elementwise; derivative `y (1 - y)`.
    public func sigmoid() -> Variable {
        let output = value.sigmoid()
        return elementwise(output, name: "sigmoid", saved: output) { $0 * (1 - $0) }
    }

    /// `max(x, 0)`; the gradient at 0 is 0, as in PyTorch.
    public func relu() -> Variable {
        let output = value.relu()
        return elementwise(output, name: "relu", saved: output) { $0 > 0 ? 1 : 0 }
    }

    /// Gaussian error linear unit, exact (erf) by default, as `Tensor.gelu`.
    ///
    /// Derivatives: exact `Φ(x) + x φ(x)`; tanh approximation
    /// `(1 + t) / 2 + x (1 - t²) √(2/π) (1 + 3 · 0.044715 x²) / 2` with
    /// `t = tanh(√(2/π) (x + 0.044715 x³))`, as PyTorch's `gelu_backward`.
    public func gelu(approximation: GELUApproximation = .exact) -> Variable {
        let output = value.gelu(approximation: approximation)
        switch approximation {
        case .exact:
            return elementwise(output, name: "gelu", saved: value) { x in
                let cumulative = 0.5 * (1 + erff(x * 0.70710678118654752))
                let density = 0.39894228040143268 * expf(-0.5 * x * x)
                return cumulative + x * density
            }
        case .tanh:
            return elementwise(output, name: "gelu(tanh)", saved: value) { x in
                let scale: Float = 0.79788456080286536, cubic: Float = 0.044715
                let t = tanhf(scale * (x + cubic * x * x * x))
                return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * scale * (1 + 3 * cubic * x * x)
            }
        }
    }

    /// `|x|` elementwise; the gradient is the sign of `x` (0 at 0, as in PyTorch).
    public func abs() -> Variable {
        elementwise(value.abs(), name: "abs", saved: value) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
    }

    /// `x * x` elementwise; derivative `2x`.
    public func squared() -> Variable {
        elementwise(value.squared(), name: "squared", saved: value) { 2 * $0 }
    }

    /// `x` raised to `exponent` elementwise; derivative `exponent · x^(exponent - 1)`
    /// (0 everywhere for exponent 0, as in PyTorch).
    public func pow(_ exponent: Float) -> Variable {
        elementwise(value.pow(exponent), name: "pow", saved: value) { x in
            exponent == 0 ? 0 : exponent * powf(x, exponent - 1)
        }
    }

    /// Each element limited to `[min, max]` (a `nil` bound is not applied), as
    /// `Tensor.clamped`. The gradient passes where `min <= x <= max` (bounds
    /// included, as PyTorch) and is 0 elsewhere; with `min > max` it is 0 everywhere.
    public func clamped(min: Float? = nil, max: Float? = nil) -> Variable {
        let lower = min ?? -.infinity, upper = max ?? .infinity
        return elementwise(value.clamped(min: min, max: max), name: "clamped", saved: value) { x in
            x >= lower && x <= upper ? 1 : 0
        }
    }

    /// `1 / x` elementwise; derivative `-1 / x² = -y²`.
    public func reciprocal() -> Variable {
        let output = value.reciprocal()
        return elementwise(output, name: "reciprocal", saved: output) { -$0 * $0 }
    }

    /// Records an elementwise operation of this variable whose backward is
    /// `gradient * derivative(saved)` element by element.
    ///
    /// - Parameters:
    ///   - output: the operation's value (same shape as this variable).
    ///   - saved: the tensor the derivative is a function of (input or output).
    ///   - derivative: the derivative at one element, from that element of `saved`.
    private func elementwise(
        _ output: Tensor, name: String, saved: Tensor, derivative: @escaping (Float) -> Float
    ) -> Variable {
        Variable.record(output, name: name, inputs: [self]) { gradient in
            [Variable.chained(gradient, saved, derivative)]
        }
    }

    /// `gradient[i] * derivative(saved[i])` for every element, in parallel chunks.
    static func chained(_ gradient: Tensor, _ saved: Tensor, _ derivative: (Float) -> Float) -> Tensor {
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
