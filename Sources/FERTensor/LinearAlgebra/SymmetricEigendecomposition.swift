import CLAPACKE

extension LinearAlgebra {
    /// Eigenvalues and eigenvectors of a real symmetric `n x n` matrix,
    /// `A V = V diag(values)`.
    ///
    /// `values` has shape `[n]`, in ascending order. `vectors` is `n x n`
    /// with the eigenvectors as its **columns**: `vectors[i, j]` is component
    /// `i` of the eigenvector for `values[j]`; they are orthonormal
    /// (`VᵀV = I`). Each eigenvector's sign is arbitrary.
    ///
    /// Only the upper triangle of `a` is read (`LAPACKE_ssyevd` with
    /// `uplo = "U"`); symmetry is assumed, not checked.
    ///
    /// - Throws: `.shapeMismatch` unless rank 2, `.notSquare`,
    ///   `.notFinite` for NaN or infinite elements, `.noConvergence` if the
    ///   divide-and-conquer iteration fails.
    public static func symmetricEigen(_ a: Tensor) throws -> (values: Tensor, vectors: Tensor) {
        let n = try squareOrder(a, operation: "symmetricEigen")
        var vectors = a
        var values = Tensor.empty([Int(n)])
        guard n > 0 else { return (values, vectors) }
        try vectors.withUnsafeMutableBufferPointer { matrix in
            try values.withUnsafeMutableBufferPointer { eigenvalues in
                try check(
                    LAPACKE_ssyevd(rowMajor, option("V"), option("U"), n, matrix.baseAddress, n, eigenvalues.baseAddress),
                    routine: "LAPACKE_ssyevd")
            }
        }
        return (values, vectors)
    }
}
