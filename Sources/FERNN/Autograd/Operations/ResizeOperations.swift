import FERTensor

extension Variable {
    /// The planes of `[N, C, H, W]` resized to `size`, as `Tensor.resize`
    /// (nearest or bilinear, no antialiasing); backward by `Tensor.resizeBackward`.
    public func resized(to size: Size2D, mode: ResizeMode) -> Variable {
        let inputShape = shape
        return Variable.record(Tensor.resize(value, to: size, mode: mode), name: "resize", inputs: [self]) {
            [Tensor.resizeBackward($0, inputShape: inputShape, mode: mode)]
        }
    }
}
