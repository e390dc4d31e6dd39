import FERTensor

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
        let count = Float(inputShape.reduce(1, *) / Swift.max(1, keptShape.reduce(1, *)))
        return Variable.record(value.mean(alongAxes: axes, keepingDimensions: keepingDimensions), name: "mean", inputs: [self]) {
            [($0 / count).reshaped(keptShape).expanded(to: inputShape)]
        }
    }

    /// The shape of a reduction's result with the reduced axes kept as 1.
    static func keptShape(_ shape: [Int], axes: [Int]?) -> [Int] {
        guard let axes else { return shape.map { _ in 1 } }
        let normalized = Set(axes.map { $0 < 0 ? $0 + shape.count : $0 })
        return shape.indices.map { normalized.contains($0) ? 1 : shape[$0] }
    }
}
