import FERTensor

// Elementwise arithmetic with broadcasting. The gradient of a broadcast
// operand is summed back to its shape.

extension Variable {
    /// Elementwise sum with broadcasting.
    public static func + (lhs: Variable, rhs: Variable) -> Variable {
        record(lhs.value + rhs.value, name: "add", inputs: [lhs, rhs]) { gradient in
            [lhs.requiresGradient ? gradient.sumReduced(toShape: lhs.shape) : nil,
             rhs.requiresGradient ? gradient.sumReduced(toShape: rhs.shape) : nil]
        }
    }

    /// `relu(lhs + rhs)` in one pass (PyTorch's fused `_add_relu`), as a
    /// residual block joins its branch and shortcut: both operands receive
    /// the gradient where the output is positive. Operands of different
    /// shapes broadcast through the unfused `(lhs + rhs).relu()`.
    public static func addReLU(_ lhs: Variable, _ rhs: Variable) -> Variable {
        guard lhs.shape == rhs.shape else { return (lhs + rhs).relu() }
        let output = Tensor.addReLU(lhs.value, rhs.value)
        return record(output, name: "add+relu", inputs: [lhs, rhs]) { gradient in
            let masked = Variable.chained(gradient, output, ReLUDerivative())
            return [lhs.requiresGradient ? masked : nil, rhs.requiresGradient ? masked : nil]
        }
    }

    /// Elementwise difference with broadcasting.
    public static func - (lhs: Variable, rhs: Variable) -> Variable {
        record(lhs.value - rhs.value, name: "subtract", inputs: [lhs, rhs]) { gradient in
            [lhs.requiresGradient ? gradient.sumReduced(toShape: lhs.shape) : nil,
             rhs.requiresGradient ? (-gradient).sumReduced(toShape: rhs.shape) : nil]
        }
    }

    /// Elementwise product with broadcasting.
    public static func * (lhs: Variable, rhs: Variable) -> Variable {
        record(lhs.value * rhs.value, name: "multiply", inputs: [lhs, rhs]) { gradient in
            [lhs.requiresGradient ? (gradient * rhs.value).sumReduced(toShape: lhs.shape) : nil,
             rhs.requiresGradient ? (gradient * lhs.value).sumReduced(toShape: rhs.shape) : nil]
        }
    }

    /// Elementwise quotient with broadcasting.
    public static func / (lhs: Variable, rhs: Variable) -> Variable {
        record(lhs.value / rhs.value, name: "divide", inputs: [lhs, rhs]) { gradient in
            [lhs.requiresGradient ? (gradient / rhs.value).sumReduced(toShape: lhs.shape) : nil,
             rhs.requiresGradient
                ? (-(gradient * lhs.value) / (rhs.value * rhs.value)).sumReduced(toShape: rhs.shape) : nil]
        }
    }

    /// Adds a constant.
    public static func + (lhs: Variable, rhs: Float) -> Variable {
        record(lhs.value + rhs, name: "add scalar", inputs: [lhs]) { [$0] }
    }

    /// Subtracts a constant.
    public static func - (lhs: Variable, rhs: Float) -> Variable { lhs + (-rhs) }

    /// Multiplies by a constant.
    public static func * (lhs: Variable, rhs: Float) -> Variable {
        record(lhs.value * rhs, name: "multiply scalar", inputs: [lhs]) { [$0 * rhs] }
    }

    /// Divides by a constant.
    public static func / (lhs: Variable, rhs: Float) -> Variable { lhs * (1 / rhs) }

    /// Adds to a constant.
    public static func + (lhs: Float, rhs: Variable) -> Variable { rhs + lhs }

    /// Multiplies a constant.
    public static func * (lhs: Float, rhs: Variable) -> Variable { rhs * lhs }

    /// Subtracts from a constant.
    public static func - (lhs: Float, rhs: Variable) -> Variable { -rhs + lhs }

    /// Negation.
    public static prefix func - (operand: Variable) -> Variable {
        record(-operand.value, name: "negate", inputs: [operand]) { [-$0] }
    }
}
