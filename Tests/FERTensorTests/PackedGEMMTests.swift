import Foundation
import Testing
@testable import FERTensor

/// FERKit's own AVX-512 GEMM kernel (`GEMM.Kernel.packed`) against OpenBLAS.
@Suite struct PackedGEMMTests {
    /// `C = op(A) op(B) + beta C` with each kernel, from the same starting `C`.
    func products(
        m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, beta: Float, lda extraA: Int = 0
    ) -> (packed: [Float], openBLAS: [Float]) {
        let lda = (transposeA ? m : k) + extraA, ldb = transposeB ? k : n
        let a = randomTensor([transposeA ? k : m, lda], seed: 61).scalars
        let b = randomTensor([transposeB ? n : k, ldb], seed: 62).scalars
        let start = randomTensor([m, n], seed: 63).scalars
        func run(_ kernel: GEMM.Kernel) -> [Float] {
            var c = start
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                      a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb, beta: beta,
                                      c: c.baseAddress!, ldc: n, kernel: kernel)
                    }
                }
            }
            return c
        }
        return (run(.packed), run(.openBLAS))
    }

    /// Shapes around the micro-tile (8 x 48, panels of 16-column vectors),
    /// the packing depth (256) and the 16x16 transposition blocks.
    @Test(.enabled(if: GEMM.hasPackedKernel), arguments: [
        (32, 32, 16), (33, 47, 17), (40, 64, 255), (64, 147, 257), (130, 97, 600), (57, 200, 31), (128, 676, 64),
    ])
    func agreesWithOpenBLASInEveryTransposition(_ sizes: (Int, Int, Int)) {
        let (m, n, k) = sizes
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                for beta: Float in [0, 1, 0.5] {
                    let (packed, reference) = products(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                                                       beta: beta, lda: 3)
                    let scale = reference.map(Swift.abs).max() ?? 1
                    let error = zip(packed, reference).map { Swift.abs($0 - $1) }.max() ?? 0
                    #expect(error <= 1e-5 * Swift.max(1, scale) * Float(k).squareRoot(),
                            "m \(m) n \(n) k \(k) transposeA \(transposeA) transposeB \(transposeB) beta \(beta)")
                }
            }
        }
    }

    @Test(.enabled(if: GEMM.hasPackedKernel)) func betaZeroIgnoresNaNAlreadyInTheOutput() {
        let (m, n, k) = (40, 50, 20)
        let a = randomTensor([m, k], seed: 64).scalars, b = randomTensor([k, n], seed: 65).scalars
        var c = [Float](repeating: .nan, count: m * n)
        c.withUnsafeMutableBufferPointer { c in
            GEMM.multiply(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: c.baseAddress!, ldc: n, kernel: .packed)
        }
        #expect(c.allSatisfy { $0.isFinite })
    }

    @Test(.enabled(if: GEMM.hasPackedKernel)) func eachRowIsTheSameAloneAndAmongOthers() {
        let (m, n, k) = (64, 100, 300)
        let a = randomTensor([m, k], seed: 66).scalars, b = randomTensor([k, n], seed: 67).scalars
        var all = [Float](repeating: 0, count: m * n)
        all.withUnsafeMutableBufferPointer { c in
            GEMM.multiply(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: c.baseAddress!, ldc: n, kernel: .packed)
        }
        for row in [0, 13, 32] {
            // 32 rows starting at `row` (the packed kernel's smallest), compared on their first row.
            let rows = 32
            var block = [Float](repeating: 0, count: rows * n)
            a.withUnsafeBufferPointer { a in
                block.withUnsafeMutableBufferPointer { c in
                    GEMM.multiply(m: rows, n: n, k: k, a: a.baseAddress! + row * k, lda: k, b: b, ldb: n,
                                  c: c.baseAddress!, ldc: n, kernel: .packed)
                }
            }
            #expect(Array(block[0..<n]) == Array(all[(row * n)..<(row * n + n)]), "row \(row)")
        }
    }

    @Test func theKernelIsUsedWhereTheCPUHasAVX512() {
        let disabled = ProcessInfo.processInfo.environment["FERKIT_PACKED_GEMM"] == "0"
        #expect(GEMM.hasPackedKernel == (BLASRuntime.cpuHasAVX512 && !disabled))
    }
}
