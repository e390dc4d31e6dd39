import FERTensor

// Reductions. Each backward reshapes the output gradient to the input's rank
// with the reduced axes kept as 1, then broadcasts it back over them.

extension Variable {
    /// Sum over `axes` (all when `nil`), as `Tensor.sum`.
    public func sum(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Variable {
        let inputShape = shape
        let keptShape = Variable.keptShape(inputShape, axes: axes)
        return Variable.record(value.sum(alongAxes: axes, keepingDimensions: keepingDimensions), name: "sum", inputs: [self]) {
            [$0.reshaped(keptShape).expanded(to: inputShape)]
        }
    }

    /// Mean over `axes` (all when `nil`), as `Tensor.mean`.
    public func mean(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Variable {
        let inputShape = shape
        let keptShape = Variable.keptShape(inputShape, axes: axes)
        let count = Float(Variable.reducedCount(inputShape, keptShape))
        return Variable.record(value.mean(alongAxes: axes, keepingDimensions: keepingDimensions), name: "mean", inputs: [self]) {
            [($0 / count).reshaped(keptShape).expanded(to: inputShape)]
        }
    }

    /// Largest element over `axes` (all when `nil`), as `Tensor.max`.
    ///
    /// The gradient goes to the element that attains the maximum; when several
    /// tie, it is split evenly between them (as PyTorch's `amax`, so that the
    /// result is the average of the one-sided derivatives).
    public func max(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Variable {
        extremum(value.max(alongAxes: axes, keepingDimensions: keepingDimensions), name: "max", axes: axes)
    }

    /// Smallest element over `axes` (all when `nil`), as `Tensor.min`; ties
    /// share the gradient evenly, as for `max(alongAxes:keepingDimensions:)`.
    public func min(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Variable {
        extremum(value.min(alongAxes: axes, keepingDimensions: keepingDimensions), name: "min", axes: axes)
    }

    /// Variance over `axes` (all when `nil`), divided by `n` or, when
    /// `unbiased`, by `n - 1`, as `Tensor.variance`. Derivative
    /// `2 (x - mean) / (n or n - 1)`.
    public func variance(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false, unbiased: Bool = false) -> Variable {
        let keptShape = Variable.keptShape(shape, axes: axes)
        let divisor = Float(Variable.reducedCount(shape, keptShape) - (unbiased ? 1 : 0))
        let output = value.variance(alongAxes: axes, keepingDimensions: keepingDimensions, unbiased: unbiased)
        return Variable.record(output, name: "variance", inputs: [self]) { [value] gradient in
            let deviations = value - value.mean(alongAxes: axes, keepingDimensions: true)
            return [deviations * (gradient.reshaped(keptShape) * (2 / divisor))]
        }
    }

    /// Shared body of `max` and `min`: the gradient of each output element is
    /// divided among the input elements equal to it.
    private func extremum(_ output: Tensor, name: String, axes: [Int]?) -> Variable {
        let keptShape = Variable.keptShape(shape, axes: axes)
        return Variable.record(output, name: name, inputs: [self]) { [value] gradient in
            let attained = value.isEqual(to: output.reshaped(keptShape))
            let ties = attained.sum(alongAxes: axes, keepingDimensions: true)
            return [attained * (gradient.reshaped(keptShape) / ties)]
        }
    }

    /// The shape of a reduction's result with the reduced axes kept as 1.
    static func keptShape(_ shape: [Int], axes: [Int]?) -> [Int] {
        guard let axes else { return shape.map { _ in 1 } }
        let normalized = Set(axes.map { $0 < 0 ? $0 + shape.count : $0 })
        return shape.indices.map { normalized.contains($0) ? 1 : shape[$0] }
    }

    /// Number of input elements that reduce into each output element.
    static func reducedCount(_ shape: [Int], _ keptShape: [Int]) -> Int {
        shape.reduce(1, *) / Swift.max(1, keptShape.reduce(1, *))
    }
}
