#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Tensor {
    /// `exp(x - max) / Σ exp(x - max)` along `axis` (default the last), so
    /// every slice along that axis is a probability distribution. Stable for
    /// large inputs because the maximum is subtracted first.
    ///
    /// - Precondition: `axis` is valid for this rank.
    public func softmax(alongAxis axis: Int = -1) -> Tensor {
        normalizedExponentials(alongAxis: axis, logarithmic: false)
    }

    /// `(x - max) - log Σ exp(x - max)` along `axis` (default the last): the
    /// logarithm of `softmax`, computed without forming it.
    ///
    /// - Precondition: `axis` is valid for this rank.
    public func logSoftmax(alongAxis axis: Int = -1) -> Tensor {
        normalizedExponentials(alongAxis: axis, logarithmic: true)
    }

    /// Shared body of `softmax` and `logSoftmax` over `[outer, length, inner]`:
    /// along the last axis each row is a contiguous run; along another axis
    /// whole rows of up to `Reduction.columnBlock` columns are combined.
    private func normalizedExponentials(alongAxis axis: Int, logarithmic: Bool) -> Tensor {
        let name = logarithmic ? "logSoftmax" : "softmax"
        let axis = Tensor.normalizedAxis(axis, rank: Swift.max(rank, 1), name)
        let (outer, length, inner) = rank == 0 ? (1, 1, 1) : splitShape(at: axis)
        let result = Tensor.empty(shape)
        let destination = result.storage.base
        withUnsafeBufferPointer { buffer in
            let source = buffer.baseAddress!
            if inner == 1 {
                Parallel.forRanges(outer, minimumChunk: Swift.max(1, StridedLoop.minimumChunk / Swift.max(1, length))) { _, rows in
                    for row in rows {
                        Tensor.normalizeRun(source + row * length, into: destination + row * length, count: length, logarithmic: logarithmic)
                    }
                }
            } else {
                Reduction.forEachColumnBlock(outer: outer, inner: inner, workPerColumn: 3 * length) { index, columns in
                    let offset = index * length * inner + columns.lowerBound
                    Tensor.normalizeColumns(
                        source + offset, into: destination + offset, rowStride: inner, rows: length,
                        width: columns.count, logarithmic: logarithmic)
                }
            }
        }
        return result
    }

    /// Softmax (or log-softmax) of one contiguous run.
    private static func normalizeRun(
        _ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int, logarithmic: Bool
    ) {
        guard count > 0 else { return }
        let maximum = Reduction.reduceRun(MaximumReduction.self, source, count: count)
        for index in 0..<count { destination[index] = expf(source[index] - maximum) }
        let total = Reduction.reduceRun(SumReduction.self, destination, count: count)
        if logarithmic {
            let logTotal = logf(total)
            for index in 0..<count { destination[index] = (source[index] - maximum) - logTotal }
        } else {
            let scale = 1 / total
            for index in 0..<count { destination[index] *= scale }
        }
    }

    /// Softmax (or log-softmax) down the columns of a `rows x width` block
    /// whose rows are `rowStride` apart.
    private static func normalizeColumns(
        _ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>,
        rowStride: Int, rows: Int, width: Int, logarithmic: Bool
    ) {
        guard rows > 0 else { return }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * width) { scratch in
            let maximum = scratch.baseAddress!
            let total = maximum + width
            Reduction.accumulateRows(MaximumReduction.self, source, rowStride: rowStride, rows: rows, width: width, into: maximum)
            total.update(repeating: 0, count: width)
            for row in 0..<rows {
                let (input, output) = (source + row * rowStride, destination + row * rowStride)
                for column in 0..<width {
                    let value = expf(input[column] - maximum[column])
                    output[column] = value
                    total[column] += value
                }
            }
            if logarithmic {
                for column in 0..<width { total[column] = logf(total[column]) }
                for row in 0..<rows {
                    let (input, output) = (source + row * rowStride, destination + row * rowStride)
                    for column in 0..<width { output[column] = (input[column] - maximum[column]) - total[column] }
                }
            } else {
                for column in 0..<width { total[column] = 1 / total[column] }
                for row in 0..<rows {
                    let output = destination + row * rowStride
                    for column in 0..<width { output[column] *= total[column] }
                }
            }
        }
    }
}
