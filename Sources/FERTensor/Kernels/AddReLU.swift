import CFERKernels

extension Tensor {
    /// `max(a + b, 0)` in one pass (PyTorch's fused `_add_relu`): how a
    /// residual block joins its branch and its shortcut.
    ///
    /// - Precondition: `a` and `b` have the same shape.
    public static func addReLU(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "addReLU: shapes \(a.shape) and \(b.shape) differ")
        let output = Tensor.empty(a.shape)
        let x = a.storage.base, y = b.storage.base, z = output.storage.base
        Parallel.forRanges(a.count, minimumChunk: 1 << 15) { _, range in
            fer_add_relu(x, y, z, range.lowerBound, range.upperBound)
        }
        return withExtendedLifetime((a, b)) { output }
    }
}
