import CFERKernels
import Foundation

/// FERKit's single level of parallelism.
///
/// Kernels split work across `Parallel.threadCount` workers: the calling
/// thread and persistent pool threads that spin briefly between loops, so
/// that the many short loops of a training step do not each wait for a
/// thread to wake (`fer_parallel_for`). OpenBLAS itself is kept at one thread
/// (see `BLASRuntime`), so a GEMM called from a worker never competes with
/// OpenBLAS's own pool.
public enum Parallel {
    /// Number of workers kernels use. Defaults to the `FERKIT_NUM_THREADS`
    /// environment variable, else the number of active processors.
    public static var threadCount: Int {
        get { configuredThreadCount }
        set {
            precondition(newValue >= 1, "Parallel.threadCount must be at least 1, got \(newValue)")
            configuredThreadCount = newValue
        }
    }

    nonisolated(unsafe) private static var configuredThreadCount: Int = {
        if let text = ProcessInfo.processInfo.environment["FERKIT_NUM_THREADS"],
           let value = Int(text), value >= 1 {
            return value
        }
        return Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Runs `body(index)` for every index in `0..<count`, spread over the
    /// calling thread and FERKit's pool of workers (`fer_parallel_for`).
    /// Runs inline when there is one task or one worker, and when called
    /// from inside another loop's task.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 || threadCount == 1 {
            for index in 0..<count { body(index) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var task = body
            withUnsafeMutablePointer(to: &task) { task in
                fer_parallel_for(count, threadCount, { context, index in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(index)
                }, task)
            }
        }
    }

    /// Splits `0..<total` into at most `threadCount` contiguous ranges of at
    /// least `minimumChunk` elements each, and runs `body(worker, range)` for
    /// them in parallel. `worker` numbers the ranges from 0.
    @inlinable
    public static func forRanges(_ total: Int, minimumChunk: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        guard total > 0 else { return }
        let workers = rangeCount(total, minimumChunk: minimumChunk)
        forEach(workers) { worker in
            body(worker, range(worker, of: workers, total: total))
        }
    }

    /// How many ranges `forRanges` uses for `total` elements.
    @inlinable
    public static func rangeCount(_ total: Int, minimumChunk: Int = 1) -> Int {
        Swift.max(1, Swift.min(threadCount, total / Swift.max(1, minimumChunk)))
    }

    /// The `worker`-th of `workers` balanced contiguous ranges covering `0..<total`.
    @inlinable
    public static func range(_ worker: Int, of workers: Int, total: Int) -> Range<Int> {
        let base = total / workers
        let extra = total % workers
        let start = worker * base + Swift.min(worker, extra)
        return start..<(start + base + (worker < extra ? 1 : 0))
    }
}
