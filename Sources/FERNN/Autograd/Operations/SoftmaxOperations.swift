import FERTensor

// Softmax and log-softmax. Both backward passes use only the saved output and
// one reduction along the axis, never exponentials of the raw input, so they
// are as stable as the forward pass.

extension Variable {
    /// `softmax` along `axis` (default the last), as `Tensor.softmax`.
    ///
    /// Backward: `y ⊙ (g - Σ g ⊙ y)` with the sum along the axis.
    public func softmax(alongAxis axis: Int = -1) -> Variable {
        let output = value.softmax(alongAxis: axis)
        let axes = Variable.softmaxAxes(axis, rank: rank)
        return Variable.record(output, name: "softmax", inputs: [self]) { gradient in
            let weighted = gradient * output
            return [weighted - output * weighted.sum(alongAxes: axes, keepingDimensions: true)]
        }
    }

    /// `logSoftmax` along `axis` (default the last), as `Tensor.logSoftmax`.
    ///
    /// Backward: `g - exp(y) ⊙ Σ g` with the sum along the axis; `exp(y)` is the
    /// softmax, at most 1, so nothing overflows.
    public func logSoftmax(alongAxis axis: Int = -1) -> Variable {
        let output = value.logSoftmax(alongAxis: axis)
        let axes = Variable.softmaxAxes(axis, rank: rank)
        return Variable.record(output, name: "logSoftmax", inputs: [self]) { gradient in
            [gradient - output.exp() * gradient.sum(alongAxes: axes, keepingDimensions: true)]
        }
    }

    /// The axes the backward sums run over: `[axis]`, or none for a rank-0
    /// value (a softmax over one element, whose gradient the formulas make 0).
    private static func softmaxAxes(_ axis: Int, rank: Int) -> [Int] {
        rank == 0 ? [] : [axis]
    }
}
