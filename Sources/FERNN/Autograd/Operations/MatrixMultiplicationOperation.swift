import FERTensor

extension Variable {
    /// Matrix product with gradients, as `Tensor.matmul` (rank 2, or batched rank 3).
    public static func matmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
        let value = Tensor.matmul(a.value, b.value, transposeA: transposeA, transposeB: transposeB)
        return record(value, name: "matmul", inputs: [a, b]) { gradient in
            // C = op(A) op(B): dop(A) = dC op(B)ᵀ, dop(B) = op(A)ᵀ dC.
            var gradientA: Tensor?
            if a.requiresGradient {
                gradientA = transposeA
                    ? Tensor.matmul(b.value, gradient, transposeA: transposeB, transposeB: true)
                    : Tensor.matmul(gradient, b.value, transposeB: !transposeB)
                gradientA = reduceBatch(gradientA!, to: a.shape)
            }
            var gradientB: Tensor?
            if b.requiresGradient {
                gradientB = transposeB
                    ? Tensor.matmul(gradient, a.value, transposeA: true, transposeB: transposeA)
                    : Tensor.matmul(a.value, gradient, transposeA: !transposeA)
                gradientB = reduceBatch(gradientB!, to: b.shape)
            }
            return [gradientA, gradientB]
        }
    }

    /// Sums a batched gradient over the batch axis when the operand was shared (rank 2).
    private static func reduceBatch(_ gradient: Tensor, to shape: [Int]) -> Tensor {
        gradient.rank > shape.count ? gradient.sum(alongAxes: [0]) : gradient
    }
}
