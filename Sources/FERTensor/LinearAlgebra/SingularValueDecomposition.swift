import CLAPACKE

extension LinearAlgebra {
    /// Singular value decomposition `A = U diag(s) Vᵀ` of an `m x n` matrix.
    ///
    /// With `k = min(m, n)`, `s` has shape `[k]`, non-negative and in
    /// descending order. When `fullMatrices` is false (the default, for PCA),
    /// `u` is `m x k` and `vt` is `k x n`; when true, `u` is `m x m` and `vt`
    /// is `n x n`. The columns of `u` and the rows of `vt` are orthonormal;
    /// the principal directions of the rows of `a` are the rows of `vt`.
    /// Uses divide and conquer (`LAPACKE_sgesdd`).
    ///
    /// - Throws: `.shapeMismatch` unless rank 2, `.notFinite` for NaN or
    ///   infinite elements, `.noConvergence` if the iteration fails.
    public static func svd(_ a: Tensor, fullMatrices: Bool = false) throws -> (u: Tensor, s: Tensor, vt: Tensor) {
        let (m, n) = try matrixExtents(a, operation: "svd")
        let k = Swift.min(m, n)
        let uColumns = fullMatrices ? m : k
        let vtRows = fullMatrices ? n : k
        guard k > 0 else {
            // Nothing to factor: any orthonormal bases will do.
            let u = fullMatrices ? identity(Int(m)) : Tensor.zeros([Int(m), 0])
            let vt = fullMatrices ? identity(Int(n)) : Tensor.zeros([0, Int(n)])
            return (u, Tensor.zeros([0]), vt)
        }
        var work = a
        var u = Tensor.empty([Int(m), Int(uColumns)])
        var s = Tensor.empty([Int(k)])
        var vt = Tensor.empty([Int(vtRows), Int(n)])
        try work.withUnsafeMutableBufferPointer { matrix in
            try u.withUnsafeMutableBufferPointer { left in
                try s.withUnsafeMutableBufferPointer { values in
                    try vt.withUnsafeMutableBufferPointer { right in
                        try check(
                            LAPACKE_sgesdd(
                                rowMajor, option(fullMatrices ? "A" : "S"), m, n, matrix.baseAddress, n,
                                values.baseAddress, left.baseAddress, uColumns, right.baseAddress, n),
                            routine: "LAPACKE_sgesdd")
                    }
                }
            }
        }
        return (u, s, vt)
    }
}
