import CLAPACKE

extension LinearAlgebra {
    /// The solution `x` of `A x = b` for a square, non-singular `A`.
    ///
    /// `b` has shape `[n]` (one right-hand side; `x` is then `[n]`) or
    /// `[n, k]` (`k` right-hand sides as columns; `x` is `[n, k]`). Uses LU
    /// factorisation with partial pivoting (`LAPACKE_sgesv`).
    ///
    /// - Throws: `.shapeMismatch` unless `a` is rank 2 and `b` has `n` rows
    ///   and rank 1 or 2, `.notSquare`, `.singular` with the index of the
    ///   first zero pivot when `A` is exactly singular,
    ///   `.notFinite` for NaN or infinite elements.
    public static func solve(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let n = try squareOrder(a, operation: "solve")
        guard (1...2).contains(b.rank), b.shape[0] == Int(n) else {
            throw LinearAlgebraError.shapeMismatch(
                operation: "solve", expected: "right-hand side of shape [\(n)] or [\(n), k]", found: [a.shape, b.shape])
        }
        guard let k = LAPACKInt(exactly: b.rank == 2 ? b.shape[1] : 1), LAPACKInt(exactly: b.count) != nil else {
            throw LinearAlgebraError.tooLarge(operation: "solve", shape: b.shape)
        }
        try requireFinite(b, operation: "solve")
        var factors = a
        var solution = b
        guard n > 0, k > 0 else { return solution }
        var pivots = [LAPACKInt](repeating: 0, count: Int(n))
        try factors.withUnsafeMutableBufferPointer { matrix in
            try solution.withUnsafeMutableBufferPointer { rightHandSides in
                try check(
                    LAPACKE_sgesv(rowMajor, n, k, matrix.baseAddress, n, &pivots, rightHandSides.baseAddress, k),
                    routine: "LAPACKE_sgesv",
                    onPositive: { LinearAlgebraError.singular(operation: "solve", pivot: $0 - 1) })
            }
        }
        return solution
    }
}
