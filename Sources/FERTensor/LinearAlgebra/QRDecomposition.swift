import CLAPACKE

extension LinearAlgebra {
    /// Reduced QR decomposition `A = Q R` of an `m x n` matrix.
    ///
    /// With `k = min(m, n)`, `q` is `m x k` with orthonormal columns
    /// (`QᵀQ = I`) and `r` is `k x n` upper triangular (upper trapezoidal
    /// when `n > m`). Uses Householder reflections (`LAPACKE_sgeqrf`, then
    /// `LAPACKE_sorgqr`), so the diagonal of `r` may be negative; callers
    /// wanting a unique factor (orthogonal initialisation) flip the signs of
    /// the columns of `q` by the signs of that diagonal.
    ///
    /// - Throws: `LinearAlgebraError.shapeMismatch` unless `a` is rank 2,
    ///   `.notFinite` for NaN or infinite elements.
    public static func qr(_ a: Tensor) throws -> (q: Tensor, r: Tensor) {
        let (m, n) = try matrixExtents(a, operation: "qr")
        let k = Swift.min(m, n)
        let (rows, columns, rank) = (Int(m), Int(n), Int(k))
        guard k > 0 else { return (Tensor.zeros([rows, 0]), Tensor.zeros([0, columns])) }

        var factors = a
        var tau = [Float](repeating: 0, count: rank)
        try factors.withUnsafeMutableBufferPointer { buffer in
            try check(LAPACKE_sgeqrf(rowMajor, m, n, buffer.baseAddress, n, &tau), routine: "LAPACKE_sgeqrf")
        }

        // R: the upper triangle of the first k rows of the factored matrix.
        var r = Tensor.zeros([rank, columns])
        // Q starts as the first k columns of the factored matrix (the reflectors).
        var q = Tensor.empty([rows, rank])
        factors.withUnsafeBufferPointer { source in
            r.withUnsafeMutableBufferPointer { target in
                for row in 0..<rank {
                    for column in row..<columns { target[row * columns + column] = source[row * columns + column] }
                }
            }
            q.withUnsafeMutableBufferPointer { target in
                for row in 0..<rows {
                    for column in 0..<rank { target[row * rank + column] = source[row * columns + column] }
                }
            }
        }
        try q.withUnsafeMutableBufferPointer { buffer in
            try check(LAPACKE_sorgqr(rowMajor, m, k, k, buffer.baseAddress, k, tau), routine: "LAPACKE_sorgqr")
        }
        return (q, r)
    }
}
