import FERTensor

extension Variable {
    /// The same elements with another shape (one axis may be -1), as `Tensor.reshaped`.
    public func reshaped(_ newShape: [Int]) -> Variable {
        let inputShape = shape
        return Variable.record(value.reshaped(newShape), name: "reshape", inputs: [self]) { [$0.reshaped(inputShape)] }
    }
}
