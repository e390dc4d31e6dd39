import CFERKernels
import COpenBLAS
import Foundation

/// Row-major single-precision matrix products.
///
/// `C = alpha * op(A) * op(B) + beta * C` with `op(A)` of shape `m x k`,
/// `op(B)` of shape `k x n`. Leading dimensions are row strides in elements.
public enum GEMM {
    /// Which implementation computes a product.
    public enum Kernel: Sendable {
        /// OpenBLAS's `cblas_sgemm`.
        case openBLAS
        /// FERKit's own AVX-512 or AVX2 kernel (`fer_packed_gemm`) where the
        /// CPU has one of them and the product is large enough, otherwise OpenBLAS. It
        /// packs less than OpenBLAS and is faster on the thin products of
        /// convolutions (K of 64 or 147, N of a few hundred).
        case packed
    }

    /// Whether `Kernel.packed` runs FERKit's kernel: the CPU has AVX-512F and
    /// AVX-512VL, or AVX2 and FMA, and `FERKIT_PACKED_GEMM` is not `0` (set it to `0` to
    /// compare with OpenBLAS, or to `avx2` to run the AVX2 kernel on an AVX-512 CPU).
    public static let hasPackedKernel = fer_packed_gemm_available() != 0

    /// The packed kernel this CPU runs: `"AVX-512 8x48"`, `"AVX2 6x16"` or `"none"`.
    public static var packedKernelName: String { String(cString: fer_packed_gemm_kernel_name()) }

    /// Whether the packed kernel is the AVX-512 one.
    static let packedKernelIsAVX512 = fer_packed_gemm_uses_avx512() != 0

    /// Columns of `C` in one panel of the packed kernel's micro-tiles (48 with AVX-512, 16 with AVX2).
    static let packedPanelColumns = fer_packed_gemm_panel_columns()

    /// Whether the packed kernel should run convolution products `depth`
    /// deep whose left operand is the weight (forward passes): always with
    /// AVX-512; with AVX2 up to one packed block (256), OpenBLAS's own
    /// kernel being faster on deeper ones (best of four C-harness runs on
    /// Zen 3: 1.05-1.3x on ResNet18's 3x3 forward products).
    static func packedKernelSuits(depth: Int) -> Bool {
        hasPackedKernel && (packedKernelIsAVX512 || depth <= 256)
    }

    /// One GEMM on the calling thread: call it from inside parallel workers.
    @inlinable
    public static func multiply(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        kernel: Kernel = .openBLAS
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            scale(c, rows: m, columns: n, ldc: ldc, by: beta)
            return
        }
        if kernel == .packed, alpha == 1, usesPackedKernel(m: m, n: n, k: k) {
            ScratchPool.shared.withBuffer(count: fer_packed_gemm_scratch_count(m, k)) { scratch in
                fer_packed_gemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, a, lda, b, ldb, beta, c, ldc, scratch)
            }
            return
        }
        _ = BLASRuntime.report
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
    }

    /// Whether `Kernel.packed` runs FERKit's kernel for this shape: it pays
    /// off once both sides of `C` span a few micro-tiles (8 x 48 or 6 x 16).
    @usableFromInline
    static func usesPackedKernel(m: Int, n: Int, k: Int) -> Bool {
        hasPackedKernel && m >= 32 && n >= 32 && k >= 16
    }

    /// The same product, split across `Parallel` workers by blocks of rows of
    /// `C` (when `m` is the larger side) or columns of `C`.
    public static func parallelMultiply(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        kernel: Kernel = .openBLAS
    ) {
        let byRows = m >= n
        let workers = workerCount(splitting: byRows ? m : n, work: m * n * k)
        Parallel.forEach(workers) { worker in
            if byRows {
                let rows = Parallel.range(worker, of: workers, total: m)
                multiply(
                    transposeA: transposeA, transposeB: transposeB,
                    m: rows.count, n: n, k: k, alpha: alpha,
                    a: transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda, lda: lda,
                    b: b, ldb: ldb, beta: beta,
                    c: c + rows.lowerBound * ldc, ldc: ldc, kernel: kernel)
            } else {
                let columns = Parallel.range(worker, of: workers, total: n)
                multiply(
                    transposeA: transposeA, transposeB: transposeB,
                    m: m, n: columns.count, k: k, alpha: alpha,
                    a: a, lda: lda,
                    b: transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound, ldb: ldb,
                    beta: beta,
                    c: c + columns.lowerBound, ldc: ldc, kernel: kernel)
            }
        }
    }

    /// Workers for a product of `work` multiply-adds split into blocks of
    /// `total` rows or columns: one below 2^18, else up to one per 16.
    static func workerCount(splitting total: Int, work: Int) -> Int {
        work < 1 << 18 ? 1 : Parallel.rangeCount(total, minimumChunk: 16)
    }

    @usableFromInline
    static func scale(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ldc: Int, by beta: Float) {
        for row in 0..<rows {
            let line = c + row * ldc
            for column in 0..<columns {
                line[column] = beta == 0 ? 0 : beta * line[column]
            }
        }
    }
}

extension fer_matrix_layout {
    /// A row-major matrix whose rows are `ld` elements apart.
    static func plain(_ ld: Int) -> fer_matrix_layout { fer_matrix_layout(ld: ld, block: 0, block_stride: 0) }

    /// The planes of consecutive NCHW samples read as one matrix: rows are
    /// channels, columns run through each sample's `plane` positions, and
    /// samples are `sampleStride` elements apart.
    static func samplePlanes(plane: Int, sampleStride: Int) -> fer_matrix_layout {
        fer_matrix_layout(ld: plane, block: plane, block_stride: sampleStride)
    }

    /// Whether the columns are split into blocks (see `samplePlanes`).
    var isBlocked: Bool { block != 0 }
}

extension GEMM {
    /// Floats of `op(A)` with `m` rows and depth `k` packed by `packA`.
    static func packedACount(m: Int, k: Int) -> Int { fer_packed_gemm_packed_a_count(m, k) }

    /// Packs `op(A)` (`[m x k]`; a transposed A must be plain) into
    /// `packed` (64-byte aligned, `packedACount` floats) once, for several
    /// products with the same left operand (`packedMultiply(packedA:)`).
    /// Requires `hasPackedKernel`.
    static func packA(
        transposeA: Bool, m: Int, k: Int, a: UnsafePointer<Float>, aLayout: fer_matrix_layout,
        into packed: UnsafeMutablePointer<Float>
    ) {
        precondition(hasPackedKernel, "GEMM.packA needs FERKit's packed kernel")
        fer_packed_gemm_pack_a(transposeA ? 1 : 0, m, k, a, aLayout, packed)
    }

    /// `C = A op(B) + beta C` on this thread with `A` packed by `packA`.
    static func packedMultiply(
        packedA: UnsafePointer<Float>, transposeB: Bool, m: Int, n: Int, k: Int,
        b: UnsafePointer<Float>, bLayout: fer_matrix_layout, beta: Float,
        c: UnsafeMutablePointer<Float>, cLayout: fer_matrix_layout
    ) {
        precondition(!(transposeB && bLayout.isBlocked), "GEMM.packedMultiply: a transposed B must be a plain matrix")
        ScratchPool.shared.withBuffer(count: fer_packed_gemm_scratch_count(m, k)) { scratch in
            fer_packed_gemm_prepacked(transposeB ? 1 : 0, m, n, k, packedA, b, bLayout, beta, c, cLayout, scratch)
        }
    }

    /// `C = op(A) op(B) + beta C` with FERKit's packed kernel and operands in
    /// any `fer_matrix_layout` (a transposed operand must be plain, blocks
    /// hold at least 16 columns), split across the workers by rows of `C`
    /// when `parallel`. Requires `hasPackedKernel`.
    static func packedMultiply(
        parallel: Bool, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, aLayout: fer_matrix_layout, b: UnsafePointer<Float>, bLayout: fer_matrix_layout,
        beta: Float, c: UnsafeMutablePointer<Float>, cLayout: fer_matrix_layout
    ) {
        precondition(hasPackedKernel, "GEMM.packedMultiply needs FERKit's packed kernel")
        precondition(!(transposeA && aLayout.isBlocked) && !(transposeB && bLayout.isBlocked),
                     "GEMM.packedMultiply: a transposed operand must be a plain matrix")
        let workers = parallel ? workerCount(splitting: m, work: m * n * k) : 1
        Parallel.forEach(workers) { worker in
            let rows = Parallel.range(worker, of: workers, total: m)
            guard !rows.isEmpty else { return }
            ScratchPool.shared.withBuffer(count: fer_packed_gemm_scratch_count(rows.count, k)) { scratch in
                fer_packed_gemm_layouts(
                    transposeA ? 1 : 0, transposeB ? 1 : 0, rows.count, n, k,
                    transposeA ? a + rows.lowerBound : a + rows.lowerBound * aLayout.ld, aLayout, b, bLayout, beta,
                    c + rows.lowerBound * cLayout.ld, cLayout, scratch)
            }
        }
    }
}
