/// An associative combination of `Float`s with an identity, for reductions.
@usableFromInline
protocol ReductionOperation {
    /// The result of reducing nothing.
    static var identity: Float { get }
    static func combine(_ a: Float, _ b: Float) -> Float
    static func combine(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float>
    static func combine(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float>
}

/// A reduction that keeps one of its inputs, so it also has an arg-form.
@usableFromInline
protocol ExtremumReduction: ReductionOperation {
    /// Whether `candidate` replaces `current` (strictly better: ties keep the first).
    static func prefers(_ candidate: Float, over current: Float) -> Bool
}

enum SumReduction: ReductionOperation {
    static var identity: Float { 0 }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) static func combine(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a + b }
    @inline(__always) static func combine(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> { a + b }
}

enum MaximumReduction: ExtremumReduction {
    static var identity: Float { -.infinity }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { b > a ? b : a }
    @inline(__always) static func combine(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        a.replacing(with: b, where: b .> a)
    }
    @inline(__always) static func combine(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> {
        a.replacing(with: b, where: b .> a)
    }
    @inline(__always) static func prefers(_ candidate: Float, over current: Float) -> Bool { candidate > current }
}

enum MinimumReduction: ExtremumReduction {
    static var identity: Float { .infinity }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { b < a ? b : a }
    @inline(__always) static func combine(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        a.replacing(with: b, where: b .< a)
    }
    @inline(__always) static func combine(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> {
        a.replacing(with: b, where: b .< a)
    }
    @inline(__always) static func prefers(_ candidate: Float, over current: Float) -> Bool { candidate < current }
}

/// Reduction kernels over a contiguous tensor viewed as `[outer, length, inner]`,
/// reducing the middle axis to give `[outer, inner]`.
///
/// Results never depend on the number of workers: every output element is
/// produced by one worker in a fixed order, and long runs are summed in
/// fixed blocks of `blockLength` whose partial results combine in order.
enum Reduction {
    /// Elements per partial result of a long contiguous run.
    static let blockLength = 1 << 14
    /// Columns per task when reducing rows of a non-innermost axis
    /// (a 4 KiB accumulator row that stays in L1).
    static let columnBlock = 1024

    /// Reduces `count <= blockLength` contiguous elements with two 16-lane
    /// accumulators, so the loop vectorises despite Float's strict ordering;
    /// the lanes are folded as a tree, so short rows stay cheap too.
    @inline(__always)
    static func reduceBlock<R: ReductionOperation>(_: R.Type, _ source: UnsafePointer<Float>, count: Int) -> Float {
        let raw = UnsafeRawPointer(source)
        var first = SIMD16<Float>(repeating: R.identity)
        var second = first
        var index = 0
        while index + 32 <= count {
            first = R.combine(first, raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self))
            second = R.combine(second, raw.loadUnaligned(fromByteOffset: (index + 16) * 4, as: SIMD16<Float>.self))
            index += 32
        }
        if index + 16 <= count {
            first = R.combine(first, raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self))
            index += 16
        }
        let sixteen = R.combine(first, second)
        var four = R.combine(
            R.combine(sixteen.lowHalf.lowHalf, sixteen.lowHalf.highHalf),
            R.combine(sixteen.highHalf.lowHalf, sixteen.highHalf.highHalf))
        while index + 4 <= count {
            four = R.combine(four, raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD4<Float>.self))
            index += 4
        }
        var result = R.combine(R.combine(four[0], four[1]), R.combine(four[2], four[3]))
        while index < count {
            result = R.combine(result, source[index])
            index += 1
        }
        return result
    }

    /// Reduces one contiguous run, block by block.
    static func reduceRun<R: ReductionOperation>(_ operation: R.Type, _ source: UnsafePointer<Float>, count: Int) -> Float {
        var result = R.identity
        var start = 0
        repeat {
            result = R.combine(result, reduceBlock(operation, source + start, count: Swift.min(blockLength, count - start)))
            start += blockLength
        } while start < count
        return result
    }

    /// Like `reduceRun`, computing the blocks' partial results in parallel;
    /// bit-identical to `reduceRun`.
    static func reduceRunInParallel<R: ReductionOperation>(_ operation: R.Type, _ source: UnsafePointer<Float>, count: Int) -> Float {
        let blocks = (count + blockLength - 1) / blockLength
        guard blocks > 2 else { return reduceRun(operation, source, count: count) }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: blocks) { partials in
            let partialBase = partials.baseAddress!
            Parallel.forRanges(blocks, minimumChunk: 2) { _, range in
                for block in range {
                    let start = block * blockLength
                    partialBase[block] = reduceBlock(operation, source + start, count: Swift.min(blockLength, count - start))
                }
            }
            var result = R.identity
            for block in 0..<blocks { result = R.combine(result, partialBase[block]) }
            return result
        }
    }

    /// `destination[c] = combine_j source[j * rowStride + c]` for `c < width`:
    /// reduces `rows` rows elementwise (identity when `rows == 0`).
    @inline(__always)
    static func accumulateRows<R: ReductionOperation>(
        _: R.Type, _ source: UnsafePointer<Float>, rowStride: Int, rows: Int, width: Int,
        into destination: UnsafeMutablePointer<Float>
    ) {
        guard rows > 0 else {
            destination.update(repeating: R.identity, count: width)
            return
        }
        destination.update(from: source, count: width)
        for row in 1..<rows {
            let line = source + row * rowStride
            for column in 0..<width { destination[column] = R.combine(destination[column], line[column]) }
        }
    }

    /// Splits `[outer, inner]` into tasks of one outer index and up to
    /// `columnBlock` columns, and runs `body(outerIndex, columns)` for them in parallel.
    static func forEachColumnBlock(
        outer: Int, inner: Int, workPerColumn: Int, _ body: (Int, Range<Int>) -> Void
    ) {
        let blocks = (inner + columnBlock - 1) / columnBlock
        let blockWork = Swift.max(1, workPerColumn * Swift.min(inner, columnBlock))
        Parallel.forRanges(outer * blocks, minimumChunk: Swift.max(1, StridedLoop.minimumChunk / blockWork)) { _, tasks in
            for task in tasks {
                let (outerIndex, block) = task.quotientAndRemainder(dividingBy: blocks)
                body(outerIndex, (block * columnBlock)..<Swift.min(inner, (block + 1) * columnBlock))
            }
        }
    }

    /// Reduces the middle axis of `[outer, length, inner]` into `[outer, inner]`.
    static func reduce<R: ReductionOperation>(
        _ operation: R.Type, _ source: UnsafePointer<Float>, outer: Int, length: Int, inner: Int,
        into destination: UnsafeMutablePointer<Float>
    ) {
        if inner == 1 {
            if outer == 1 {
                destination.pointee = reduceRunInParallel(operation, source, count: length)
                return
            }
            Parallel.forRanges(outer, minimumChunk: Swift.max(1, StridedLoop.minimumChunk / Swift.max(1, length))) { _, range in
                for index in range {
                    destination[index] = reduceRun(operation, source + index * length, count: length)
                }
            }
        } else {
            forEachColumnBlock(outer: outer, inner: inner, workPerColumn: length) { index, columns in
                accumulateRows(
                    operation, source + index * length * inner + columns.lowerBound, rowStride: inner,
                    rows: length, width: columns.count, into: destination + index * inner + columns.lowerBound)
            }
        }
    }

    /// Index of the first preferred element of a contiguous run.
    ///
    /// - Precondition: `count > 0`.
    static func argExtremumRun<R: ExtremumReduction>(_: R.Type, _ source: UnsafePointer<Float>, count: Int) -> Int {
        var best = source.pointee
        var bestIndex = 0
        for index in 1..<Swift.max(1, count) where R.prefers(source[index], over: best) {
            best = source[index]
            bestIndex = index
        }
        return bestIndex
    }

    /// For `[outer, length, inner]`, the index along the middle axis of the
    /// first preferred element, as an exact `Float`, into `[outer, inner]`.
    static func argExtremum<R: ExtremumReduction>(
        _ operation: R.Type, _ source: UnsafePointer<Float>, outer: Int, length: Int, inner: Int,
        into destination: UnsafeMutablePointer<Float>
    ) {
        if inner == 1 {
            Parallel.forRanges(outer, minimumChunk: Swift.max(1, StridedLoop.minimumChunk / length)) { _, range in
                for index in range {
                    destination[index] = Float(argExtremumRun(operation, source + index * length, count: length))
                }
            }
            return
        }
        forEachColumnBlock(outer: outer, inner: inner, workPerColumn: length) { index, columns in
            let start = source + index * length * inner + columns.lowerBound
            let indices = destination + index * inner + columns.lowerBound
            let width = columns.count
            withUnsafeTemporaryAllocation(of: Float.self, capacity: width) { bestBuffer in
                let best = bestBuffer.baseAddress!
                best.update(from: start, count: width)
                indices.update(repeating: 0, count: width)
                for row in 1..<length {
                    let line = start + row * inner
                    let rowIndex = Float(row)
                    for column in 0..<width where R.prefers(line[column], over: best[column]) {
                        best[column] = line[column]
                        indices[column] = rowIndex
                    }
                }
            }
        }
    }
}
