/// A function of one `Float`, applied elementwise by `Elementwise.map`.
///
/// Conforming types are small structs (holding parameters such as an
/// exponent); generic kernels are specialised for each, so `apply` inlines
/// into the loop with no closure or existential per element.
@usableFromInline
protocol UnaryFloatOperation {
    func apply(_ x: Float) -> Float
}

/// A function of two `Float`s, applied elementwise with broadcasting.
@usableFromInline
protocol BinaryFloatOperation {
    func apply(_ a: Float, _ b: Float) -> Float
}

/// A function of three `Float`s, applied elementwise with broadcasting.
@usableFromInline
protocol TernaryFloatOperation {
    func apply(_ a: Float, _ b: Float, _ c: Float) -> Float
}

/// Elementwise kernels over raw pointers, shared by the arithmetic, math,
/// comparison and shape operations.
@usableFromInline
enum Elementwise {
    /// `output[i] = operation(input[i])` for `i < count`, in parallel for large counts.
    /// `output` may equal `input`.
    static func map<Operation: UnaryFloatOperation>(
        _ operation: Operation, _ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, count: Int
    ) {
        Parallel.forRanges(count, minimumChunk: StridedLoop.minimumChunk) { _, range in
            let (source, destination) = (input + range.lowerBound, output + range.lowerBound)
            for index in 0..<range.count {
                destination[index] = operation.apply(source[index])
            }
        }
    }

    /// `output = operation(a, b)` over the broadcast `shape`; `output` is
    /// contiguous of that shape and may equal `a` when `a` has that shape.
    ///
    /// Fast paths, checked without building a `StridedLoop`: equal element
    /// counts (same layout) or a one-element side run as one long loop split
    /// across workers; a side that is a trailing block of the output (a bias
    /// over leading axes) runs as rows against that repeating block. Other
    /// layouts go through `StridedLoop`'s odometer.
    static func apply<Operation: BinaryFloatOperation>(
        _ operation: Operation, _ a: Tensor, _ b: Tensor, into output: UnsafeMutablePointer<Float>, shape: [Int]
    ) {
        let total = Tensor.elementCount(of: shape)
        guard total > 0 else { return }
        let (aBase, bBase) = (UnsafePointer(a.storage.base), UnsafePointer(b.storage.base))
        let (aFull, bFull) = (a.count == total, b.count == total)
        if (aFull || a.count == 1) && (bFull || b.count == 1) {
            let (aStep, bStep) = (aFull ? 1 : 0, bFull ? 1 : 0)
            Parallel.forRanges(total, minimumChunk: StridedLoop.minimumChunk) { _, range in
                let start = range.lowerBound
                binaryRun(
                    operation, output + start, aBase + start * aStep, step: aStep,
                    bBase + start * bStep, step: bStep, count: range.count)
            }
        } else if aFull && isTrailingBlock(b.shape, of: shape) || bFull && isTrailingBlock(a.shape, of: shape) {
            let block = aFull ? b.count : a.count
            Parallel.forRanges(total / block, minimumChunk: Swift.max(1, StridedLoop.minimumChunk / block)) { _, rows in
                for row in rows {
                    let offset = row * block
                    binaryRun(
                        operation, output + offset, aFull ? aBase + offset : aBase, step: 1,
                        bFull ? bBase + offset : bBase, step: 1, count: block)
                }
            }
        } else {
            let loop = StridedLoop(broadcasting: [a.shape, b.shape], to: shape)
            let steps = loop.runStrides
            loop.forEachRunInParallel { offsets, count in
                binaryRun(
                    operation, output + offsets[0], aBase + offsets[1], step: steps[1],
                    bBase + offsets[2], step: steps[2], count: count)
            }
        }
    }

    /// Whether `operand`, without its leading 1s, equals the trailing axes of
    /// `shape`: its elements then repeat as one contiguous block.
    static func isTrailingBlock(_ operand: [Int], of shape: [Int]) -> Bool {
        let trimmed = operand.drop { $0 == 1 }
        return trimmed.count <= shape.count && shape.suffix(trimmed.count).elementsEqual(trimmed)
    }

    /// `output = operation(a, b, c)` over the broadcast `shape` (contiguous output).
    static func apply<Operation: TernaryFloatOperation>(
        _ operation: Operation, _ a: Tensor, _ b: Tensor, _ c: Tensor,
        into output: UnsafeMutablePointer<Float>, shape: [Int]
    ) {
        let loop = StridedLoop(broadcasting: [a.shape, b.shape, c.shape], to: shape)
        let (aBase, bBase, cBase) = (UnsafePointer(a.storage.base), UnsafePointer(b.storage.base), UnsafePointer(c.storage.base))
        let steps = loop.runStrides
        loop.forEachRunInParallel { offsets, count in
            let out = output + offsets[0]
            let (a, b, c) = (aBase + offsets[1], bBase + offsets[2], cBase + offsets[3])
            if steps == SIMD4(1, 1, 1, 1) {
                for index in 0..<count { out[index] = operation.apply(a[index], b[index], c[index]) }
            } else {
                var (aIndex, bIndex, cIndex) = (0, 0, 0)
                for index in 0..<count {
                    out[index] = operation.apply(a[aIndex], b[bIndex], c[cIndex])
                    aIndex += steps[1]
                    bIndex += steps[2]
                    cIndex += steps[3]
                }
            }
        }
    }

    /// One run of a binary kernel. Steps are 1 (contiguous) or 0 (broadcast);
    /// each combination gets its own loop so the common ones vectorise.
    @inline(__always)
    static func binaryRun<Operation: BinaryFloatOperation>(
        _ operation: Operation, _ output: UnsafeMutablePointer<Float>,
        _ a: UnsafePointer<Float>, step aStep: Int, _ b: UnsafePointer<Float>, step bStep: Int, count: Int
    ) {
        switch (aStep, bStep) {
        case (1, 1):
            for index in 0..<count { output[index] = operation.apply(a[index], b[index]) }
        case (1, 0):
            let y = b.pointee
            for index in 0..<count { output[index] = operation.apply(a[index], y) }
        case (0, 1):
            let x = a.pointee
            for index in 0..<count { output[index] = operation.apply(x, b[index]) }
        case (0, 0):
            output.update(repeating: operation.apply(a.pointee, b.pointee), count: count)
        default:
            for index in 0..<count { output[index] = operation.apply(a[index * aStep], b[index * bStep]) }
        }
    }

    /// Copies `count` elements with the given steps: a `memcpy` when both are
    /// 1, a fill when the source step is 0.
    @inline(__always)
    static func copyRun(
        _ destination: UnsafeMutablePointer<Float>, step destinationStep: Int,
        _ source: UnsafePointer<Float>, step sourceStep: Int, count: Int
    ) {
        switch (destinationStep, sourceStep) {
        case (1, 1): destination.update(from: source, count: count)
        case (1, 0): destination.update(repeating: source.pointee, count: count)
        default:
            for index in 0..<count { destination[index * destinationStep] = source[index * sourceStep] }
        }
    }

    /// Copies the `extents`-shaped region at `source` (with element strides
    /// `sourceStrides`) to `destination` (with `destinationStrides`).
    /// A source stride of 0 repeats elements (broadcast).
    static func copy(
        extents: [Int],
        from source: UnsafePointer<Float>, strides sourceStrides: [Int],
        to destination: UnsafeMutablePointer<Float>, strides destinationStrides: [Int]
    ) {
        copy(copyLoop(extents: extents, sourceStrides: sourceStrides, destinationStrides: destinationStrides),
             from: source, to: destination)
    }

    /// The loop of a strided copy: lane 0 the destination, lane 1 the source.
    static func copyLoop(extents: [Int], sourceStrides: [Int], destinationStrides: [Int]) -> StridedLoop {
        StridedLoop(extents: extents, strides: zip(destinationStrides, sourceStrides).map { SIMD4($0, $1, 0, 0) })
    }

    /// Runs a strided copy described by `copyLoop`, one run at a time.
    static func copy(_ loop: StridedLoop, from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>) {
        let steps = loop.runStrides
        loop.forEachRunInParallel { offsets, count in
            copyRun(destination + offsets[0], step: steps[0], source + offsets[1], step: steps[1], count: count)
        }
    }
}
