/// Walks an n-dimensional index space over up to four strided operands at
/// once, one innermost run at a time.
///
/// Lane 0 of every stride vector is by convention the output; lanes 1-3 are
/// inputs (unused lanes hold 0). On construction, size-1 axes are dropped
/// and neighbouring axes that are contiguous in every lane are merged, so a
/// same-shape elementwise op becomes one long run, a bias over leading axes
/// becomes rows of one repeating block, and only genuinely strided layouts
/// pay for the odometer over outer axes. Kernels then run a tight pointer
/// loop over each run with the per-lane `runStrides` (for contiguous inputs
/// 1, or 0 for a broadcast operand).
@usableFromInline
struct StridedLoop {
    /// Extents after collapsing, outermost first; never empty.
    let extents: [Int]
    /// Element strides per collapsed axis, one lane per operand.
    let strides: [SIMD4<Int>]
    /// Number of positions (product of `extents`).
    let elementCount: Int

    /// Elements per chunk below which kernels stay on one thread: the split
    /// starts at `2 * minimumChunk`, roughly 1 << 16 elements.
    static let minimumChunk = 1 << 15

    init(extents: [Int], strides: [SIMD4<Int>]) {
        precondition(extents.count == strides.count, "StridedLoop: \(extents.count) extents, \(strides.count) strides")
        var merged: [Int] = []
        var mergedStrides: [SIMD4<Int>] = []
        for axis in extents.indices where extents[axis] != 1 {
            let inner = strides[axis]
            if let outer = mergedStrides.last, outer == inner &* SIMD4(repeating: extents[axis]) {
                merged[merged.count - 1] *= extents[axis]
                mergedStrides[mergedStrides.count - 1] = inner
            } else {
                merged.append(extents[axis])
                mergedStrides.append(inner)
            }
        }
        if merged.isEmpty {
            merged = [1]
            mergedStrides = [.zero]
        }
        self.extents = merged
        self.strides = mergedStrides
        self.elementCount = merged.reduce(1, *)
    }

    /// A loop over `shape` where lane 0 is a contiguous output of that shape and
    /// lanes 1... are contiguous operands broadcast to it (stride 0 where an
    /// operand's extent is 1 or the axis is missing on its left).
    init(broadcasting operands: [[Int]], to shape: [Int]) {
        precondition(operands.count <= 3, "StridedLoop: at most three operands")
        var strides = Tensor.contiguousStrides(of: shape).map { SIMD4<Int>($0, 0, 0, 0) }
        for (lane, operand) in operands.enumerated() {
            let operandStrides = Tensor.contiguousStrides(of: operand)
            let lead = shape.count - operand.count
            for axis in operand.indices where operand[axis] != 1 {
                strides[lead + axis][lane + 1] = operandStrides[axis]
            }
        }
        self.init(extents: shape, strides: strides)
    }

    /// Length of each innermost run.
    var runLength: Int { extents[extents.count - 1] }
    /// Per-lane step between consecutive elements of a run.
    var runStrides: SIMD4<Int> { strides[strides.count - 1] }
    /// Number of runs.
    var runCount: Int { runLength == 0 ? 0 : elementCount / runLength }

    /// Per-lane offsets of the `position`-th element in row-major order.
    func offsets(ofElement position: Int) -> SIMD4<Int> {
        var remaining = position
        var offsets = SIMD4<Int>.zero
        for axis in extents.indices.reversed() {
            let (quotient, index) = remaining.quotientAndRemainder(dividingBy: extents[axis])
            offsets &+= strides[axis] &* index
            remaining = quotient
        }
        return offsets
    }

    /// Calls `body` with the offsets of the first element of each run in
    /// `runs`, in order, stepping an odometer over the outer axes.
    func forEachRun(in runs: Range<Int>, _ body: (SIMD4<Int>) -> Void) {
        guard !runs.isEmpty else { return }
        let outerRank = extents.count - 1
        var offsets = self.offsets(ofElement: runs.lowerBound * runLength)
        if outerRank <= 1 {
            let step = outerRank == 0 ? SIMD4<Int>.zero : strides[0]
            for _ in runs {
                body(offsets)
                offsets &+= step
            }
            return
        }
        extents.withUnsafeBufferPointer { extents in
            strides.withUnsafeBufferPointer { strides in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: outerRank) { index in
                    var remaining = runs.lowerBound
                    for axis in (0..<outerRank).reversed() {
                        index[axis] = remaining % extents[axis]
                        remaining /= extents[axis]
                    }
                    for _ in runs {
                        body(offsets)
                        var axis = outerRank - 1
                        while axis >= 0 {
                            index[axis] += 1
                            offsets &+= strides[axis]
                            if index[axis] < extents[axis] { break }
                            offsets &-= strides[axis] &* extents[axis]
                            index[axis] = 0
                            axis -= 1
                        }
                    }
                }
            }
        }
    }

    /// Calls `body(offsets, length)` for pieces of runs covering every
    /// position exactly once, spread over `Parallel` workers when the loop
    /// holds enough elements. A single long run is split into ranges.
    func forEachRunInParallel(_ body: (SIMD4<Int>, Int) -> Void) {
        guard elementCount > 0 else { return }
        let length = runLength
        if runCount == 1 {
            let step = runStrides
            Parallel.forRanges(length, minimumChunk: StridedLoop.minimumChunk) { _, range in
                body(step &* range.lowerBound, range.count)
            }
        } else {
            Parallel.forRanges(runCount, minimumChunk: Swift.max(1, StridedLoop.minimumChunk / length)) { _, runs in
                forEachRun(in: runs) { body($0, length) }
            }
        }
    }
}
