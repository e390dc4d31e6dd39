import Foundation
import CFERKernels
import Testing
@testable import FERTensor

/// FERKit's own AVX-512 or AVX2 GEMM kernel (`GEMM.Kernel.packed`, whichever this CPU runs) against OpenBLAS.
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

    /// A packed once (`GEMM.packA`) and used by several products gives what
    /// packing it in each product gives, bit for bit, across depth blocks.
    @Test(.enabled(if: GEMM.hasPackedKernel), arguments: [(37, 70, 300), (8, 200, 512), (64, 48, 17)])
    func prepackedLeftOperandGivesTheSameProducts(_ sizes: (Int, Int, Int)) {
        let (m, n, k) = sizes
        for transposeA in [false, true] {
            let lda = (transposeA ? m : k) + 3
            let a = randomTensor([transposeA ? k : m, lda], seed: 66).scalars
            let b = randomTensor([n, k], seed: 67).scalars, start = randomTensor([m, n], seed: 68).scalars
            var packed = [Float](repeating: .nan, count: GEMM.packedACount(m: m, k: k) + 16)
            var once = start, each = start
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    packed.withUnsafeMutableBufferPointer { packed in
                        // 64-byte aligned start inside the buffer.
                        let base = packed.baseAddress!, offset = (16 - Int(bitPattern: base) / 4 % 16) % 16
                        GEMM.packA(transposeA: transposeA, m: m, k: k, a: a.baseAddress!, aLayout: .plain(lda),
                                   into: base + offset)
                        once.withUnsafeMutableBufferPointer { c in
                            GEMM.packedMultiply(packedA: base + offset, transposeB: true, m: m, n: n, k: k,
                                                b: b.baseAddress!, bLayout: .plain(k), beta: 0.5, c: c.baseAddress!,
                                                cLayout: .plain(n))
                        }
                    }
                    each.withUnsafeMutableBufferPointer { c in
                        GEMM.packedMultiply(parallel: false, transposeA: transposeA, transposeB: true, m: m, n: n, k: k,
                                            a: a.baseAddress!, aLayout: .plain(lda), b: b.baseAddress!,
                                            bLayout: .plain(k), beta: 0.5, c: c.baseAddress!, cLayout: .plain(n))
                    }
                }
            }
            #expect(once == each, "m \(m) n \(n) k \(k) transposeA \(transposeA)")
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

    /// `samples` NCHW tensors of `channels` planes of `plane` positions, as
    /// one `[channels, samples * plane]` matrix.
    func matrix(ofPlanes tensor: [Float], samples: Int, channels: Int, plane: Int) -> [Float] {
        var result = [Float](repeating: 0, count: channels * samples * plane)
        for sample in 0..<samples {
            for channel in 0..<channels {
                for position in 0..<plane {
                    result[channel * samples * plane + sample * plane + position] =
                        tensor[(sample * channels + channel) * plane + position]
                }
            }
        }
        return result
    }

    /// The three uses in convolutions: output planes as C (forward), as B
    /// (input gradient) and as A along the depth (weight gradient), with
    /// planes that straddle the kernel's 16-column vectors and rows past a
    /// multiple of 8; the worker split by rows included.
    @Test(.enabled(if: GEMM.hasPackedKernel), arguments: [(3, 25, 36, 20), (4, 16, 40, 300), (2, 49, 13, 64)])
    func readsAndWritesTheOutputPlanesOfSeveralSamplesInPlace(_ sizes: (Int, Int, Int, Int)) {
        let (samples, plane, channels, depth) = sizes
        let width = samples * plane, planes = fer_matrix_layout.samplePlanes(plane: plane, sampleStride: channels * plane)
        let weights = randomTensor([channels, depth], seed: 68).scalars
        let columns = randomTensor([depth, width], seed: 69).scalars
        let outputPlanes = randomTensor([samples, channels, plane], seed: 70).scalars
        let outputMatrix = matrix(ofPlanes: outputPlanes, samples: samples, channels: channels, plane: plane)
        func reference(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                       a: [Float], lda: Int, b: [Float], ldb: Int) -> [Float] {
            var c = [Float](repeating: 0, count: m * n)
            c.withUnsafeMutableBufferPointer { c in
                GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda,
                              b: b, ldb: ldb, c: c.baseAddress!, ldc: n)
            }
            return c
        }
        func close(_ x: [Float], _ y: [Float]) -> Bool {
            zip(x, y).allSatisfy { Swift.abs($0 - $1) <= 1e-4 * Swift.max(1, Swift.abs($1)) }
        }
        for parallel in [false, true] {
            // Forward: planes = W [channels x depth] x columns [depth x width].
            var forward = [Float](repeating: .nan, count: outputPlanes.count)
            forward.withUnsafeMutableBufferPointer { c in
                GEMM.packedMultiply(parallel: parallel, transposeA: false, transposeB: false, m: channels, n: width,
                                    k: depth, a: weights, aLayout: .plain(depth), b: columns, bLayout: .plain(width),
                                    beta: 0, c: c.baseAddress!, cLayout: planes)
            }
            let expectedForward = reference(transposeA: false, transposeB: false, m: channels, n: width, k: depth,
                                            a: weights, lda: depth, b: columns, ldb: width)
            #expect(close(matrix(ofPlanes: forward, samples: samples, channels: channels, plane: plane), expectedForward))

            // Input gradient: columns = W^T x planes.
            var inputGradient = [Float](repeating: 0, count: depth * width)
            inputGradient.withUnsafeMutableBufferPointer { c in
                GEMM.packedMultiply(parallel: parallel, transposeA: true, transposeB: false, m: depth, n: width,
                                    k: channels, a: weights, aLayout: .plain(depth), b: outputPlanes, bLayout: planes,
                                    beta: 0, c: c.baseAddress!, cLayout: .plain(width))
            }
            #expect(close(inputGradient, reference(transposeA: true, transposeB: false, m: depth, n: width, k: channels,
                                                   a: weights, lda: depth, b: outputMatrix, ldb: width)))

            // Weight gradient: W' = planes x columns^T, with the depth running through the samples.
            var weightGradient = [Float](repeating: 0, count: channels * depth)
            let transposedColumns = randomTensor([depth, width], seed: 71).scalars
            weightGradient.withUnsafeMutableBufferPointer { c in
                GEMM.packedMultiply(parallel: parallel, transposeA: false, transposeB: true, m: channels, n: depth,
                                    k: width, a: outputPlanes, aLayout: planes, b: transposedColumns,
                                    bLayout: .plain(width), beta: 0, c: c.baseAddress!, cLayout: .plain(depth))
            }
            #expect(close(weightGradient, reference(transposeA: false, transposeB: true, m: channels, n: depth, k: width,
                                                    a: outputMatrix, lda: width, b: transposedColumns, ldb: width)))
        }
    }

    @Test func theKernelIsUsedWhereTheCPUHasAVX512OrAVX2() {
        let choice = ProcessInfo.processInfo.environment["FERKIT_PACKED_GEMM"]
        #expect(GEMM.hasPackedKernel == ((BLASRuntime.cpuHasAVX512 || BLASRuntime.cpuHasAVX2FMA) && choice != "0"))
        let avx512 = BLASRuntime.cpuHasAVX512 && choice != "0" && !(choice == "avx2" && BLASRuntime.cpuHasAVX2FMA)
        let name = choice == "0" ? "none" : avx512 ? "AVX-512 8x48" : BLASRuntime.cpuHasAVX2FMA ? "AVX2 6x16" : "none"
        #expect(GEMM.packedKernelName == name)
        #expect(GEMM.packedKernelIsAVX512 == avx512)
    }
}
