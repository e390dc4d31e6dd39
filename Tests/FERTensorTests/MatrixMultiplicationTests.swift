import Testing
@testable import FERTensor

@Suite struct MatrixMultiplicationTests {
    /// Naive product of op(a) [m, k] and op(b) [k, n] for one batch entry.
    func reference(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) -> [Float] {
        (0..<(m * n)).map { index in
            let (row, column) = (index / n, index % n)
            return Float((0..<k).reduce(0.0) { total, inner in
                let left = transposeA ? a[inner * m + row] : a[row * k + inner]
                let right = transposeB ? b[column * k + inner] : b[inner * n + column]
                return total + Double(left) * Double(right)
            })
        }
    }

    @Test(arguments: [(1, 1, 1), (3, 5, 2), (7, 1, 9), (64, 33, 17), (130, 260, 70)])
    func productsMatchNaiveLoopsInEveryTransposition(_ sizes: (Int, Int, Int)) {
        let (m, n, k) = sizes
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                let a = randomTensor(transposeA ? [k, m] : [m, k], seed: 51)
                let b = randomTensor(transposeB ? [n, k] : [k, n], seed: 52)
                let expected = reference(a.scalars, b.scalars, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
                expectClose(Tensor.matmul(a, b, transposeA: transposeA, transposeB: transposeB),
                            Tensor(shape: [m, n], scalars: expected),
                            absolute: Tolerance.accumulated, relative: Tolerance.accumulated)
            }
        }
    }

    @Test func batchedProductsBroadcastARankTwoOperand() {
        let a = randomTensor([4, 3, 5], seed: 53), shared = randomTensor([5, 2], seed: 54)
        let result = Tensor.matmul(a, shared)
        #expect(result.shape == [4, 3, 2])
        for entry in 0..<4 {
            let slice = Array(a.scalars[(entry * 15)..<(entry * 15 + 15)])
            let expected = reference(slice, shared.scalars, m: 3, n: 2, k: 5, transposeA: false, transposeB: false)
            #expect(zip(result.scalars[(entry * 6)..<(entry * 6 + 6)], expected).allSatisfy { Swift.abs($0 - $1) < 1e-4 })
        }
        let b = randomTensor([4, 2, 5], seed: 55)
        #expect(Tensor.matmul(a, b, transposeB: true).shape == [4, 3, 2])
    }

    @Test func emptyInnerDimensionGivesZeros() {
        let result = Tensor.matmul(Tensor.zeros([3, 0]), Tensor.zeros([0, 2]))
        #expect(result.scalars == [Float](repeating: 0, count: 6))
    }
}
