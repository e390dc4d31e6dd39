import FERTensor

extension Variable {
    /// `max(x, 0)`; the gradient at 0 is 0, as in PyTorch.
    public func relu() -> Variable {
        let output = value.relu()
        return Variable.record(output, name: "relu", inputs: [self]) { gradient in
            [gradient * output.isGreater(than: 0)]
        }
    }
}
