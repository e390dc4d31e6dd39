import CLAPACKE

/// Dense linear algebra on rank-2 `Tensor`s through LAPACKE (row-major).
///
/// Every routine copies its inputs before handing them to LAPACK, so the
/// tensors passed in are never modified, and maps LAPACK's `info` return
/// codes to `LinearAlgebraError`.
public enum LinearAlgebra {}

extension LinearAlgebra {
    /// The integer type of LAPACKE's sizes (32-bit unless built for ILP64).
    typealias LAPACKInt = Int32

    /// Rows and columns of a rank-2 tensor, as LAPACK integers.
    ///
    /// - Throws: `.shapeMismatch` for another rank, `.tooLarge` when an
    ///   extent (or the element count) does not fit LAPACK's integers,
    ///   `.notFinite` for NaN or infinite elements.
    static func matrixExtents(_ a: Tensor, operation: String) throws -> (rows: LAPACKInt, columns: LAPACKInt) {
        guard a.rank == 2 else {
            throw LinearAlgebraError.shapeMismatch(operation: operation, expected: "a matrix (rank 2)", found: [a.shape])
        }
        guard let rows = LAPACKInt(exactly: a.shape[0]), let columns = LAPACKInt(exactly: a.shape[1]),
              LAPACKInt(exactly: a.count) != nil else {
            throw LinearAlgebraError.tooLarge(operation: operation, shape: a.shape)
        }
        try requireFinite(a, operation: operation)
        return (rows, columns)
    }

    /// The order of a square matrix.
    ///
    /// - Throws: as `matrixExtents`, and `.notSquare`.
    static func squareOrder(_ a: Tensor, operation: String) throws -> LAPACKInt {
        let (rows, columns) = try matrixExtents(a, operation: operation)
        guard rows == columns else { throw LinearAlgebraError.notSquare(operation: operation, shape: a.shape) }
        return rows
    }

    /// Maps a LAPACK return code: negative codes throw `.lapackArgument`;
    /// positive ones throw `onPositive(info)`, by default `.noConvergence`.
    static func check(
        _ info: LAPACKInt, routine: String, onPositive: ((Int) -> LinearAlgebraError)? = nil
    ) throws {
        if info < 0 { throw LinearAlgebraError.lapackArgument(routine: routine, info: Int(info)) }
        if info > 0 {
            throw onPositive?(Int(info)) ?? LinearAlgebraError.noConvergence(routine: routine, info: Int(info))
        }
    }

    /// Rejects NaN and infinite elements, on which LAPACK's results (and
    /// return codes) are unspecified.
    static func requireFinite(_ tensors: Tensor..., operation: String) throws {
        for tensor in tensors {
            let finite = tensor.withUnsafeBufferPointer { buffer in buffer.allSatisfy { $0.isFinite } }
            guard finite else { throw LinearAlgebraError.notFinite(operation: operation, shape: tensor.shape) }
        }
    }

    /// An `n x n` identity matrix.
    static func identity(_ n: Int) -> Tensor {
        var result = Tensor.zeros([n, n])
        result.withUnsafeMutableBufferPointer { buffer in
            for index in 0..<n { buffer[index * n + index] = 1 }
        }
        return result
    }

    /// LAPACKE's row-major layout constant.
    static let rowMajor = LAPACKInt(LAPACK_ROW_MAJOR)

    /// A LAPACK character option (`"V"`, `"U"`, `"S"`, ...).
    static func option(_ character: Unicode.Scalar) -> CChar {
        CChar(UInt8(ascii: character))
    }
}
