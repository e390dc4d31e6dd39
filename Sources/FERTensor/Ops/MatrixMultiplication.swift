extension Tensor {
    /// Matrix product, as `torch.matmul` for rank 2 and 3.
    ///
    /// - `[m, k] x [k, n] -> [m, n]`;
    /// - batched: `[b, m, k] x [b, k, n] -> [b, m, n]`, where either side may
    ///   also be rank 2 and is then shared by every batch entry.
    ///
    /// `transposeA` / `transposeB` use the transpose of the last two axes of
    /// that operand without materialising it. Under `batchInvariant(_:)`, each
    /// row of a rank-2 product is computed on its own.
    ///
    /// - Precondition: ranks 2 or 3, matching inner extents and batch sizes.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition((2...3).contains(a.rank) && (2...3).contains(b.rank),
                      "matmul: operands must be rank 2 or 3, got \(a.shape) and \(b.shape)")
        let (aRows, aColumns) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (bRows, bColumns) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let (m, k) = transposeA ? (aColumns, aRows) : (aRows, aColumns)
        let (kB, n) = transposeB ? (bColumns, bRows) : (bRows, bColumns)
        precondition(k == kB, "matmul: inner extents differ, \(a.shape)\(transposeA ? "ᵀ" : "") x \(b.shape)\(transposeB ? "ᵀ" : "")")
        let batchA = a.rank == 3 ? a.shape[0] : nil
        let batchB = b.rank == 3 ? b.shape[0] : nil
        if let batchA, let batchB {
            precondition(batchA == batchB, "matmul: batch sizes differ, \(a.shape) x \(b.shape)")
        }
        let batch = batchA ?? batchB
        let result = Tensor.empty(batch.map { [$0, m, n] } ?? [m, n])
        let strideA = batchA == nil ? 0 : aRows * aColumns
        let strideB = batchB == nil ? 0 : bRows * bColumns
        let base = result.storage.base
        a.withUnsafeBufferPointer { aBuffer in
            b.withUnsafeBufferPointer { bBuffer in
                if let batch, m * n * k < 1 << 18 {
                    Parallel.forRanges(batch, minimumChunk: Swift.max(1, (1 << 18) / Swift.max(1, m * n * k))) { _, entries in
                        for entry in entries {
                            GEMM.multiply(
                                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                a: aBuffer.baseAddress! + entry * strideA, lda: aColumns,
                                b: bBuffer.baseAddress! + entry * strideB, ldb: bColumns,
                                c: base + entry * m * n, ldc: n)
                        }
                    }
                } else if batch == nil, BatchInvariance.isEnabled {
                    // Every row goes through the same call on a contiguous copy, so
                    // neither the batch nor the layout of `a` changes its bits.
                    Parallel.forRanges(m, minimumChunk: Swift.max(1, (1 << 16) / Swift.max(1, n * k))) { _, rows in
                        let row = UnsafeMutablePointer<Float>.allocate(capacity: k)
                        defer { row.deallocate() }
                        for index in rows {
                            let source = aBuffer.baseAddress! + (transposeA ? index : index * aColumns)
                            for column in 0..<k { row[column] = source[transposeA ? column * aColumns : column] }
                            GEMM.multiply(
                                transposeA: false, transposeB: transposeB, m: 1, n: n, k: k,
                                a: row, lda: k, b: bBuffer.baseAddress!, ldb: bColumns, c: base + index * n, ldc: n)
                        }
                    }
                } else {
                    for entry in 0..<(batch ?? 1) {
                        GEMM.parallelMultiply(
                            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                            a: aBuffer.baseAddress! + entry * strideA, lda: aColumns,
                            b: bBuffer.baseAddress! + entry * strideB, ldb: bColumns,
                            c: base + entry * m * n, ldc: n)
                    }
                }
            }
        }
        return result
    }
}
