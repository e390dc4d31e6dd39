import Testing
@testable import FERTensor

/// Tolerance of factorisations of random matrices with up to 40 rows or
/// columns (errors grow like `n * ε * ‖A‖`).
private let factorisation: Float = 5e-4

/// Random matrices of every aspect: 1x1, square, tall, wide, larger.
private let shapes: [[Int]] = [[1, 1], [5, 5], [7, 3], [3, 7], [40, 25], [25, 40]]

/// `matrix` with column `j` multiplied by `scales[j]` (`M diag(scales)`).
private func scalingColumns(_ matrix: Tensor, by scales: Tensor) -> Tensor {
    let columns = matrix.shape[1]
    let factors = scales.scalars
    return Tensor(shape: matrix.shape, scalars: matrix.scalars.enumerated().map { $1 * factors[$0 % columns] })
}

/// The first `count` columns of `matrix`.
private func leadingColumns(_ matrix: Tensor, _ count: Int) -> Tensor {
    let (rows, columns) = (matrix.shape[0], matrix.shape[1])
    let scalars = matrix.scalars
    return Tensor(shape: [rows, count], scalars: (0..<rows).flatMap { row in scalars[(row * columns)..<(row * columns + count)] })
}

/// The first `count` rows of `matrix`.
private func leadingRows(_ matrix: Tensor, _ count: Int) -> Tensor {
    Tensor(shape: [count, matrix.shape[1]], scalars: Array(matrix.scalars.prefix(count * matrix.shape[1])))
}

/// Asserts `MᵀM = I` (orthonormal columns), or `MMᵀ = I` for `rows: true`.
private func expectOrthonormal(_ matrix: Tensor, rows: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
    let gram = Tensor.matmul(matrix, matrix, transposeA: !rows, transposeB: rows)
    expectClose(gram, LinearAlgebra.identity(gram.shape[0]), absolute: factorisation, sourceLocation: sourceLocation)
}

/// A symmetric matrix `(B + Bᵀ) / 2` of standard-normal `B`.
private func randomSymmetric(_ n: Int, seed: UInt64) -> Tensor {
    let b = randomTensor([n, n], seed: seed)
    var result = b
    for i in 0..<n { for j in 0..<n { result[i, j] = (b[i, j] + b[j, i]) / 2 } }
    return result
}

/// Asserts that `operation` leaves its input's elements unchanged.
private func expectInputUnchanged(
    _ input: Tensor, by operation: (Tensor) throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let before = input.scalars
    try operation(input)
    #expect(input.scalars == before, sourceLocation: sourceLocation)
}

/// Flips signs so `R` has a non-negative diagonal (the unique QR factors).
private func withPositiveDiagonal(_ q: Tensor, _ r: Tensor) -> (q: Tensor, r: Tensor) {
    var (q, r) = (q, r)
    for index in 0..<r.shape[0] where r[index, index] < 0 {
        for row in 0..<q.shape[0] { q[row, index] = -q[row, index] }
        for column in 0..<r.shape[1] { r[index, column] = -r[index, column] }
    }
    return (q, r)
}

@Suite struct QRDecompositionTests {
    @Test(arguments: shapes)
    func productOfFactorsReconstructsMatrix(shape: [Int]) throws {
        let a = randomTensor(shape, seed: 11)
        let (q, r) = try LinearAlgebra.qr(a)
        let k = shape.min()!
        #expect(q.shape == [shape[0], k])
        #expect(r.shape == [k, shape[1]])
        expectClose(Tensor.matmul(q, r), a, absolute: factorisation)
    }

    @Test(arguments: shapes)
    func qHasOrthonormalColumnsAndRIsUpperTriangular(shape: [Int]) throws {
        let (q, r) = try LinearAlgebra.qr(randomTensor(shape, seed: 12))
        expectOrthonormal(q)
        for row in 0..<r.shape[0] {
            for column in 0..<Swift.min(row, r.shape[1]) { #expect(r[row, column] == 0) }
        }
    }

    @Test func handComputedTwoByTwo() throws {
        // Columns (3, 4) and (1, 2): q1 = (0.6, 0.8), r12 = q1·a2 = 2.2,
        // a2 - 2.2 q1 = (-0.32, 0.24) of norm 0.4.
        let factors = try LinearAlgebra.qr(Tensor(shape: [2, 2], scalars: [3, 1, 4, 2]))
        let (q, r) = withPositiveDiagonal(factors.q, factors.r)
        expectClose(q, Tensor(shape: [2, 2], scalars: [0.6, -0.8, 0.8, 0.6]))
        expectClose(r, Tensor(shape: [2, 2], scalars: [5, 2.2, 0, 0.4]))
    }

    @Test func leavesInputUnchanged() throws {
        try expectInputUnchanged(randomTensor([6, 4], seed: 13)) { _ = try LinearAlgebra.qr($0) }
    }

    @Test func emptyMatrixHasEmptyFactors() throws {
        let (q, r) = try LinearAlgebra.qr(Tensor.zeros([3, 0]))
        #expect(q.shape == [3, 0])
        #expect(r.shape == [0, 0])
    }

    @Test func rejectsTensorsThatAreNotMatrices() {
        #expect(throws: LinearAlgebraError.shapeMismatch(operation: "qr", expected: "a matrix (rank 2)", found: [[2, 2, 2]])) {
            try LinearAlgebra.qr(Tensor.zeros([2, 2, 2]))
        }
    }

    @Test func rejectsNonFiniteElements() {
        #expect(throws: LinearAlgebraError.notFinite(operation: "qr", shape: [2, 1])) {
            try LinearAlgebra.qr(Tensor(shape: [2, 1], scalars: [1, .nan]))
        }
    }
}

@Suite struct SymmetricEigendecompositionTests {
    @Test(arguments: [1, 4, 17, 40])
    func eigenvectorsAreScaledByTheirEigenvalues(n: Int) throws {
        let a = randomSymmetric(n, seed: UInt64(20 + n))
        let (values, vectors) = try LinearAlgebra.symmetricEigen(a)
        #expect(values.shape == [n])
        #expect(vectors.shape == [n, n])
        expectClose(Tensor.matmul(a, vectors), scalingColumns(vectors, by: values), absolute: factorisation)
    }

    @Test(arguments: [1, 4, 17, 40])
    func eigenvectorsAreOrthonormalAndValuesAscend(n: Int) throws {
        let (values, vectors) = try LinearAlgebra.symmetricEigen(randomSymmetric(n, seed: UInt64(30 + n)))
        expectOrthonormal(vectors)
        let sorted = values.scalars
        #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func handComputedTwoByTwo() throws {
        // [[2, 1], [1, 2]]: eigenvalue 1 along (1, -1)/√2, 3 along (1, 1)/√2.
        let (values, vectors) = try LinearAlgebra.symmetricEigen(Tensor(shape: [2, 2], scalars: [2, 1, 1, 2]))
        expectClose(values, Tensor([1, 3]))
        let half = Float(0.5).squareRoot()
        #expect(Swift.abs(vectors[0, 0] + vectors[1, 0]) < Tolerance.reordered, "first eigenvector is ±(1, -1)/√2")
        #expect(Swift.abs(vectors[0, 1] - vectors[1, 1]) < Tolerance.reordered, "second eigenvector is ±(1, 1)/√2")
        expectClose(Tensor(vectors.scalars.map { Swift.abs($0) }), Tensor([half, half, half, half]))
    }

    @Test func leavesInputUnchanged() throws {
        try expectInputUnchanged(randomSymmetric(5, seed: 41)) { _ = try LinearAlgebra.symmetricEigen($0) }
    }

    @Test func rejectsNonSquareMatrix() {
        #expect(throws: LinearAlgebraError.notSquare(operation: "symmetricEigen", shape: [2, 3])) {
            try LinearAlgebra.symmetricEigen(Tensor.zeros([2, 3]))
        }
    }
}

@Suite struct SingularValueDecompositionTests {
    @Test(arguments: shapes)
    func reducedFactorsReconstructMatrix(shape: [Int]) throws {
        let a = randomTensor(shape, seed: 51)
        let (u, s, vt) = try LinearAlgebra.svd(a)
        let k = shape.min()!
        #expect(u.shape == [shape[0], k])
        #expect(s.shape == [k])
        #expect(vt.shape == [k, shape[1]])
        expectClose(Tensor.matmul(scalingColumns(u, by: s), vt), a, absolute: factorisation)
        expectOrthonormal(u)
        expectOrthonormal(vt, rows: true)
    }

    @Test(arguments: shapes)
    func singularValuesAreNonNegativeAndDescending(shape: [Int]) throws {
        let values = try LinearAlgebra.svd(randomTensor(shape, seed: 52)).s.scalars
        #expect(values.allSatisfy { $0 >= 0 })
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 >= $1 })
    }

    @Test(arguments: shapes)
    func fullMatricesAreSquareOrthogonalAndExtendReducedOnes(shape: [Int]) throws {
        let a = randomTensor(shape, seed: 53)
        let (u, s, vt) = try LinearAlgebra.svd(a, fullMatrices: true)
        let k = shape.min()!
        #expect(u.shape == [shape[0], shape[0]])
        #expect(vt.shape == [shape[1], shape[1]])
        expectOrthonormal(u)
        expectOrthonormal(vt)
        let reconstructed = Tensor.matmul(scalingColumns(leadingColumns(u, k), by: s), leadingRows(vt, k))
        expectClose(reconstructed, a, absolute: factorisation)
    }

    @Test func handComputedDiagonal() throws {
        // diag(3, -4): singular values 4 then 3, singular vectors ±e2 then ±e1.
        let (u, s, vt) = try LinearAlgebra.svd(Tensor(shape: [2, 2], scalars: [3, 0, 0, -4]))
        expectClose(s, Tensor([4, 3]))
        expectClose(Tensor(u.scalars.map { Swift.abs($0) }), Tensor([0, 1, 1, 0]))
        expectClose(Tensor(vt.scalars.map { Swift.abs($0) }), Tensor([0, 1, 1, 0]))
        let oneByOne = try LinearAlgebra.svd(Tensor(shape: [1, 1], scalars: [-2]))
        expectClose(oneByOne.s, Tensor([2]))
    }

    @Test func emptyMatrixHasNoSingularValuesAndIdentityBases() throws {
        let reduced = try LinearAlgebra.svd(Tensor.zeros([0, 3]))
        #expect(reduced.u.shape == [0, 0] && reduced.s.shape == [0] && reduced.vt.shape == [0, 3])
        let full = try LinearAlgebra.svd(Tensor.zeros([0, 3]), fullMatrices: true)
        #expect(full.vt == LinearAlgebra.identity(3))
    }

    @Test func leavesInputUnchanged() throws {
        try expectInputUnchanged(randomTensor([4, 6], seed: 54)) { _ = try LinearAlgebra.svd($0, fullMatrices: true) }
    }

    @Test func rejectsVectors() {
        #expect(throws: LinearAlgebraError.shapeMismatch(operation: "svd", expected: "a matrix (rank 2)", found: [[4]])) {
            try LinearAlgebra.svd(Tensor.zeros([4]))
        }
    }
}

@Suite struct LinearSolveTests {
    @Test(arguments: [1, 4, 30])
    func solutionSatisfiesTheSystem(n: Int) throws {
        // Diagonally dominant, hence well conditioned.
        var a = randomTensor([n, n], seed: UInt64(60 + n))
        for index in 0..<n { a[index, index] += Float(2 * n) }
        let b = randomTensor([n, 3], seed: 61)
        let x = try LinearAlgebra.solve(a, b)
        #expect(x.shape == [n, 3])
        expectClose(Tensor.matmul(a, x), b, absolute: factorisation)
    }

    @Test func vectorRightHandSideGivesVectorSolution() throws {
        // [[2, 1], [1, 3]] x = [3, 5]: x = (3·3 - 5, 2·5 - 3) / 5 = (0.8, 1.4).
        let a = Tensor(shape: [2, 2], scalars: [2, 1, 1, 3])
        let b = Tensor([3, 5])
        let x = try LinearAlgebra.solve(a, b)
        expectClose(x, Tensor([0.8, 1.4]))
        #expect(a.scalars == [2, 1, 1, 3] && b.scalars == [3, 5], "inputs are unchanged")
    }

    @Test func singularMatrixReportsZeroPivot() {
        #expect(throws: LinearAlgebraError.singular(operation: "solve", pivot: 1)) {
            try LinearAlgebra.solve(Tensor(shape: [2, 2], scalars: [1, 2, 2, 4]), Tensor([1, 1]))
        }
        #expect(throws: LinearAlgebraError.singular(operation: "solve", pivot: 0)) {
            try LinearAlgebra.solve(Tensor.zeros([3, 3]), Tensor([1, 1, 1]))
        }
    }

    @Test func mismatchedShapesAreRejected() {
        #expect(throws: LinearAlgebraError.notSquare(operation: "solve", shape: [2, 3])) {
            try LinearAlgebra.solve(Tensor.zeros([2, 3]), Tensor.zeros([2]))
        }
        #expect(throws: LinearAlgebraError.shapeMismatch(
            operation: "solve", expected: "right-hand side of shape [3] or [3, k]", found: [[3, 3], [2]])) {
            try LinearAlgebra.solve(Tensor.ones([3, 3]), Tensor.zeros([2]))
        }
        #expect(throws: LinearAlgebraError.shapeMismatch(
            operation: "solve", expected: "right-hand side of shape [3] or [3, k]", found: [[3, 3], [3, 1, 1]])) {
            try LinearAlgebra.solve(Tensor.ones([3, 3]), Tensor.zeros([3, 1, 1]))
        }
    }

    @Test func errorDescriptionsNameOperationAndShapes() {
        let error = LinearAlgebraError.shapeMismatch(operation: "solve", expected: "x", found: [[3, 3], [2]])
        #expect(error.description == "solve: expected x, found shape [3, 3] and [2]")
        #expect(LinearAlgebraError.lapackArgument(routine: "LAPACKE_sgesv", info: -4).description.contains("argument 4"))
    }
}
