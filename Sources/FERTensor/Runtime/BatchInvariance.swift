/// Whether kernels compute each sample the same way whatever else the batch
/// holds, so that a prediction is bit for bit the same alone or in a batch.
///
/// By default FERKit shapes its work by the batch: a convolution shares one
/// GEMM among several small feature maps, or splits one GEMM across the
/// workers; a matrix product splits its rows. Both change how the BLAS
/// kernel tiles the product and so the last bits of each sum. With batch
/// invariance on, every convolution runs one single-threaded GEMM per
/// sample (the workers take whole samples), and every row of a rank-2 matrix
/// product is its own product on a contiguous copy of the row. Inference is
/// slower for small feature maps.
public enum BatchInvariance {
    /// Whether batch-invariant kernels are in use on this task (see `batchInvariant(_:)`).
    @TaskLocal public static var isEnabled = false
}

/// Runs `body` with batch-invariant kernels (`BatchInvariance`).
public func batchInvariant<Result>(_ body: () throws -> Result) rethrows -> Result {
    try BatchInvariance.$isEnabled.withValue(true, operation: body)
}
