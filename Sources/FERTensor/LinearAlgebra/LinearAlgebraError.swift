/// Why a `LinearAlgebra` routine could not produce a result.
///
/// Every case names the operation (or LAPACK routine) that failed, so a
/// message read in a log says where it came from.
public enum LinearAlgebraError: Error, CustomStringConvertible, Equatable {
    /// The operands do not have the shapes the operation needs (wrong rank,
    /// or extents that do not agree). `expected` describes the requirement.
    case shapeMismatch(operation: String, expected: String, found: [[Int]])
    /// A matrix that must be square is not.
    case notSquare(operation: String, shape: [Int])
    /// The matrix is exactly singular: LU factorisation found a zero pivot
    /// at the 0-based diagonal index `pivot`.
    case singular(operation: String, pivot: Int)
    /// An iterative LAPACK routine did not converge; `info` is its positive
    /// return code (for `ssyevd` and `sgesdd`, the number of elements that
    /// did not converge or the failing index).
    case noConvergence(routine: String, info: Int)
    /// LAPACK rejected argument number `-info` (a bug in FERKit), or, for
    /// `info` -1010 / -1011, LAPACKE could not allocate its workspace.
    case lapackArgument(routine: String, info: Int)
    /// An operand holds NaN or infinity.
    case notFinite(operation: String, shape: [Int])
    /// An extent does not fit LAPACK's 32-bit integers.
    case tooLarge(operation: String, shape: [Int])

    /// One sentence saying what went wrong and where.
    public var description: String {
        switch self {
        case let .shapeMismatch(operation, expected, found):
            let shapes = found.map { "\($0)" }.joined(separator: " and ")
            return "\(operation): expected \(expected), found shape \(shapes)"
        case let .notSquare(operation, shape):
            return "\(operation): matrix must be square, found shape \(shape)"
        case let .singular(operation, pivot):
            return "\(operation): matrix is singular (zero pivot at diagonal index \(pivot))"
        case let .noConvergence(routine, info):
            return "\(routine): did not converge (info \(info))"
        case let .lapackArgument(routine, info):
            switch info {
            case -1010: return "\(routine): LAPACKE could not allocate its workspace (info \(info))"
            case -1011: return "\(routine): LAPACKE could not allocate its transposition buffer (info \(info))"
            default: return "\(routine): illegal value in argument \(-info) (info \(info))"
            }
        case let .notFinite(operation, shape):
            return "\(operation): operand of shape \(shape) contains NaN or infinity"
        case let .tooLarge(operation, shape):
            return "\(operation): shape \(shape) exceeds LAPACK's 32-bit index range"
        }
    }
}
