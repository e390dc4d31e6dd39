import FERTensor

extension Variable {
    /// Records an operation some of whose operands may be absent (an optional
    /// bias, an optional affine weight).
    ///
    /// `backward` returns one gradient per slot of `operands`, present or not;
    /// only those of present operands that require gradients are passed on.
    static func record(
        _ value: Tensor, name: String, optionalInputs operands: [Variable?], backward: @escaping (Tensor) -> [Tensor?]
    ) -> Variable {
        let present = operands.indices.filter { operands[$0] != nil }
        let inputs = operands.compactMap { $0 }
        return record(value, name: name, inputs: inputs) { gradient in
            let gradients = backward(gradient)
            return zip(present, inputs).map { slot, input in input.requiresGradient ? gradients[slot] : nil }
        }
    }
}
