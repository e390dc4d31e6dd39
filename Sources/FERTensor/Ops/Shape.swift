extension Tensor {
    /// Reorders the axes: axis `i` of the result is axis `axes[i]` of this
    /// tensor (`torch.permute`). Negative axes count from the end.
    ///
    /// Returns a contiguous copy. Layout changes that move the innermost
    /// axis (2-D transposes, NCHW <-> NHWC) copy in 32 x 32 tiles.
    ///
    /// - Precondition: `axes` is a permutation of this tensor's axes.
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(axes.count == rank, "permuted(\(axes)): needs \(rank) axes for shape \(shape)")
        let order = axes.map { Tensor.normalizedAxis($0, rank: rank, "permuted(\(axes))") }
        precondition(Set(order).count == rank, "permuted(\(axes)): axes repeat, shape \(shape)")
        if order == Array(0..<rank) { return self }
        let strides = Tensor.contiguousStrides(of: shape)
        let resultShape = order.map { shape[$0] }
        let result = Tensor.empty(resultShape)
        let loop = Elementwise.copyLoop(
            extents: resultShape, sourceStrides: order.map { strides[$0] },
            destinationStrides: Tensor.contiguousStrides(of: resultShape))
        withUnsafeBufferPointer { source in
            if loop.runStrides[1] > 1, let unitAxis = loop.strides.firstIndex(where: { $0[1] == 1 }) {
                Tensor.transposingCopy(loop, sourceUnitAxis: unitAxis, from: source.baseAddress!, to: result.storage.base)
            } else {
                Elementwise.copy(loop, from: source.baseAddress!, to: result.storage.base)
            }
        }
        return result
    }

    /// The matrix transpose of a rank-2 tensor.
    ///
    /// - Precondition: `rank == 2`.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed(): needs rank 2, shape is \(shape)")
        return permuted([1, 0])
    }

    /// This tensor with two axes swapped (`torch.transpose`).
    ///
    /// - Precondition: both axes are valid for this rank.
    public func transposed(_ axis0: Int, _ axis1: Int) -> Tensor {
        let first = Tensor.normalizedAxis(axis0, rank: rank, "transposed(\(axis0), \(axis1))")
        let second = Tensor.normalizedAxis(axis1, rank: rank, "transposed(\(axis0), \(axis1))")
        var order = Array(0..<rank)
        order.swapAt(first, second)
        return permuted(order)
    }

    /// Elements `range.lowerBound, + step, ...` below `range.upperBound` along
    /// `axis`, as a contiguous copy (`x[..., start:end:step, ...]`).
    ///
    /// - Precondition: `axis` is valid, `range` lies within `0...shape[axis]`, `step >= 1`.
    public func sliced(axis: Int, range: Range<Int>, step: Int = 1) -> Tensor {
        let axis = Tensor.normalizedAxis(axis, rank: rank, "sliced(axis: \(axis))")
        precondition(step >= 1, "sliced(axis: \(axis), step: \(step)): step must be positive")
        precondition(
            range.lowerBound >= 0 && range.upperBound <= shape[axis],
            "sliced(axis: \(axis), range: \(range)): out of bounds for extent \(shape[axis]) in shape \(shape)")
        var resultShape = shape
        resultShape[axis] = (range.count + step - 1) / step
        var strides = Tensor.contiguousStrides(of: shape)
        let start = range.lowerBound * strides[axis]
        strides[axis] *= step
        let result = Tensor.empty(resultShape)
        withUnsafeBufferPointer { source in
            Elementwise.copy(
                extents: resultShape, from: source.baseAddress! + start, strides: strides,
                to: result.storage.base, strides: Tensor.contiguousStrides(of: resultShape))
        }
        return result
    }

    /// The tensors joined along an existing `axis` (`torch.cat`).
    ///
    /// - Precondition: at least one tensor; equal ranks and equal extents on every other axis.
    public static func concatenated(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenated: needs at least one tensor")
        let first = tensors[0].shape
        let axis = normalizedAxis(axis, rank: first.count, "concatenated(axis: \(axis))")
        for tensor in tensors {
            precondition(
                tensor.rank == first.count && tensor.shape.indices.allSatisfy { $0 == axis || tensor.shape[$0] == first[$0] },
                "concatenated(axis: \(axis)): shapes \(tensors.map(\.shape)) differ off that axis")
        }
        var resultShape = first
        resultShape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let result = Tensor.empty(resultShape)
        let resultStrides = contiguousStrides(of: resultShape)
        var offset = 0
        for tensor in tensors {
            tensor.withUnsafeBufferPointer { source in
                Elementwise.copy(
                    extents: tensor.shape, from: source.baseAddress!, strides: contiguousStrides(of: tensor.shape),
                    to: result.storage.base + offset * resultStrides[axis], strides: resultStrides)
            }
            offset += tensor.shape[axis]
        }
        return result
    }

    /// Consecutive pieces along `axis` with the given extents (`torch.split`
    /// with a list of sizes).
    ///
    /// - Precondition: the sizes are non-negative and add up to `shape[axis]`.
    public func split(sizes: [Int], axis: Int) -> [Tensor] {
        let axis = Tensor.normalizedAxis(axis, rank: rank, "split(sizes: \(sizes), axis: \(axis))")
        precondition(
            sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == shape[axis],
            "split(sizes: \(sizes), axis: \(axis)): sizes must add up to \(shape[axis]) for shape \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return sliced(axis: axis, range: start..<(start + size))
        }
    }

    /// At most `count` pieces along `axis`, each `ceil(extent / count)` long
    /// except a shorter last one (`torch.chunk`: fewer pieces when the extent
    /// does not allow `count`).
    ///
    /// - Precondition: `count >= 1`, `axis` valid.
    public func chunked(_ count: Int, axis: Int) -> [Tensor] {
        precondition(count >= 1, "chunked(\(count), axis: \(axis)): count must be positive")
        let axis = Tensor.normalizedAxis(axis, rank: rank, "chunked(\(count), axis: \(axis))")
        let extent = shape[axis]
        guard extent > 0 else { return [self] }
        let size = (extent + count - 1) / count
        let sizes = stride(from: 0, to: extent, by: size).map { Swift.min(size, extent - $0) }
        return split(sizes: sizes, axis: axis)
    }

    /// The tensors joined along a new axis inserted at `axis` (`torch.stack`);
    /// `axis` may range over `-(rank + 1)...rank`.
    ///
    /// - Precondition: at least one tensor, all of the same shape.
    public static func stacked(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stacked: needs at least one tensor")
        let shape = tensors[0].shape
        precondition(tensors.allSatisfy { $0.shape == shape }, "stacked: shapes differ, \(tensors.map(\.shape))")
        let axis = normalizedAxis(axis, rank: shape.count + 1, "stacked(axis: \(axis))")
        return concatenated(tensors.map { $0.unsqueezed(axis: axis) }, axis: axis)
    }

    /// A copy with `value` added before and after each axis: `padding[i]`
    /// applies to axis `rank - padding.count + i`, so fewer pairs than axes
    /// pad the trailing axes (like `torch.nn.functional.pad`, but listed
    /// leading-to-trailing, not last-axis-first). `[(1, 1), (2, 2)]` on an
    /// NCHW batch pads H by 1 and W by 2 on each side.
    ///
    /// - Precondition: at most `rank` pairs, none negative.
    public func padded(_ padding: [(before: Int, after: Int)], value: Float = 0) -> Tensor {
        precondition(padding.count <= rank, "padded: \(padding.count) pairs for shape \(shape)")
        precondition(
            padding.allSatisfy { $0.before >= 0 && $0.after >= 0 },
            "padded: negative padding \(padding) for shape \(shape)")
        let lead = rank - padding.count
        var resultShape = shape
        for (index, pair) in padding.enumerated() { resultShape[lead + index] += pair.before + pair.after }
        let result = Tensor(shape: resultShape, repeating: value)
        let resultStrides = Tensor.contiguousStrides(of: resultShape)
        let start = padding.indices.reduce(0) { $0 + padding[$1].before * resultStrides[lead + $1] }
        withUnsafeBufferPointer { source in
            Elementwise.copy(
                extents: shape, from: source.baseAddress!, strides: Tensor.contiguousStrides(of: shape),
                to: result.storage.base + start, strides: resultStrides)
        }
        return result
    }

    /// The slices at `indices` along `axis`, in that order, repeats allowed
    /// (`torch.index_select`).
    ///
    /// - Precondition: `axis` valid; every index in `0..<shape[axis]`.
    public func indexSelected(axis: Int, indices: [Int]) -> Tensor {
        let axis = Tensor.normalizedAxis(axis, rank: rank, "indexSelected(axis: \(axis))")
        let (outer, length, inner) = splitShape(at: axis)
        for index in indices {
            precondition(
                index >= 0 && index < length,
                "indexSelected(axis: \(axis)): index \(index) out of range 0..<\(length) for shape \(shape)")
        }
        var resultShape = shape
        resultShape[axis] = indices.count
        let result = Tensor.empty(resultShape)
        let (destination, selected) = (result.storage.base, indices.count)
        withUnsafeBufferPointer { buffer in
            indices.withUnsafeBufferPointer { indices in
                let (source, indices) = (buffer.baseAddress!, indices.baseAddress!)
                Parallel.forRanges(outer * selected, minimumChunk: Swift.max(1, StridedLoop.minimumChunk / Swift.max(1, inner))) { _, rows in
                    for row in rows {
                        let (outerIndex, index) = row.quotientAndRemainder(dividingBy: selected)
                        (destination + row * inner).update(from: source + (outerIndex * length + indices[index]) * inner, count: inner)
                    }
                }
            }
        }
        return result
    }

    /// Picks one element along `axis` per position of an index tensor
    /// (`torch.gather`): the result has shape `indexShape`, and
    /// `result[p] = self[p with its axis-th coordinate replaced by indices[p]]`,
    /// where `indices` lists the index tensor in row-major order.
    /// For rank 2 and `axis == 1`: `result[i][j] = self[i][indices[i][j]]`.
    ///
    /// - Precondition: `indexShape` has this tensor's rank, `indices.count`
    ///   its element count, `indexShape[d] <= shape[d]` off the axis, and
    ///   every index lies in `0..<shape[axis]`.
    public func gathered(alongAxis axis: Int, indices: [Int], indexShape: [Int]) -> Tensor {
        let axis = Tensor.normalizedAxis(axis, rank: rank, "gathered(alongAxis: \(axis))")
        precondition(
            indexShape.count == rank && indices.count == Tensor.elementCount(of: indexShape)
                && indexShape.indices.allSatisfy { $0 == axis || indexShape[$0] <= shape[$0] },
            "gathered(alongAxis: \(axis)): \(indices.count) indices of shape \(indexShape) do not fit shape \(shape)")
        let length = shape[axis]
        for index in indices {
            precondition(index >= 0 && index < length, "gathered(alongAxis: \(axis)): index \(index) out of range 0..<\(length)")
        }
        var sourceStrides = Tensor.contiguousStrides(of: shape)
        let axisStride = sourceStrides[axis]
        sourceStrides[axis] = 0
        let loop = Elementwise.copyLoop(
            extents: indexShape, sourceStrides: sourceStrides, destinationStrides: Tensor.contiguousStrides(of: indexShape))
        let result = Tensor.empty(indexShape)
        let (destination, sourceStep) = (result.storage.base, loop.runStrides[1])
        withUnsafeBufferPointer { buffer in
            indices.withUnsafeBufferPointer { indices in
                let (source, indices) = (buffer.baseAddress!, indices.baseAddress!)
                loop.forEachRunInParallel { offsets, count in
                    let (output, index, input) = (destination + offsets[0], indices + offsets[0], source + offsets[1])
                    for position in 0..<count {
                        output[position] = input[position * sourceStep + index[position] * axisStride]
                    }
                }
            }
        }
        return result
    }

    /// `torch.gather` with the indices held as exact `Float` values in a
    /// tensor (as `argmax(alongAxis:keepingDimension: true)` returns them).
    ///
    /// - Precondition: as `gathered(alongAxis:indices:indexShape:)`; the values are integers.
    public func gathered(alongAxis axis: Int, indices: Tensor) -> Tensor {
        let values = indices.scalars.map { value -> Int in
            precondition(value == value.rounded(), "gathered(alongAxis: \(axis)): index \(value) is not an integer")
            return Int(value)
        }
        return gathered(alongAxis: axis, indices: values, indexShape: indices.shape)
    }

    /// This tensor without the extent-1 axis `axis`, or without every
    /// extent-1 axis when `axis` is `nil`. Shares storage.
    ///
    /// - Precondition: `axis` is valid and has extent 1 (unlike `torch.squeeze`,
    ///   which silently ignores other extents).
    public func squeezed(axis: Int? = nil) -> Tensor {
        guard let axis else { return reshaped(shape.filter { $0 != 1 }) }
        let normalized = Tensor.normalizedAxis(axis, rank: rank, "squeezed(axis: \(axis))")
        precondition(shape[normalized] == 1, "squeezed(axis: \(axis)): extent is \(shape[normalized]) in shape \(shape), not 1")
        var resultShape = shape
        resultShape.remove(at: normalized)
        return reshaped(resultShape)
    }

    /// This tensor with a new extent-1 axis at `axis`, which may range over
    /// `-(rank + 1)...rank` (`torch.unsqueeze`). Shares storage.
    public func unsqueezed(axis: Int) -> Tensor {
        let axis = Tensor.normalizedAxis(axis, rank: rank + 1, "unsqueezed(axis: \(axis))")
        var resultShape = shape
        resultShape.insert(1, at: axis)
        return reshaped(resultShape)
    }

    /// This tensor with axes `startAxis...endAxis` merged into one
    /// (`torch.flatten`); a rank-0 tensor becomes shape `[1]`. Shares storage.
    ///
    /// - Precondition: both axes valid and `startAxis <= endAxis` once normalised.
    public func flattened(startAxis: Int = 0, endAxis: Int = -1) -> Tensor {
        if rank == 0 { return reshaped([1]) }
        let name = "flattened(startAxis: \(startAxis), endAxis: \(endAxis))"
        let start = Tensor.normalizedAxis(startAxis, rank: rank, name)
        let end = Tensor.normalizedAxis(endAxis, rank: rank, name)
        precondition(start <= end, "\(name): start after end for shape \(shape)")
        let merged = shape[start...end].reduce(1, *)
        return reshaped(Array(shape[..<start]) + [merged] + Array(shape[(end + 1)...]))
    }

    /// `axis` in `0..<rank`, counting negative values from the end.
    ///
    /// - Precondition: `-rank <= axis < rank`; the message names `operation`.
    static func normalizedAxis(_ axis: Int, rank: Int, _ operation: String) -> Int {
        precondition(axis >= -rank && axis < rank, "\(operation): axis \(axis) out of range for rank \(rank)")
        return axis < 0 ? axis + rank : axis
    }

    /// This tensor viewed as `[outer, shape[axis], inner]`.
    func splitShape(at axis: Int) -> (outer: Int, length: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// Copies a permutation whose innermost source axis (`sourceUnitAxis`,
    /// source stride 1) is not the destination's innermost axis: the two
    /// axes are copied as 32 x 32 tiles, so reads and writes both stay
    /// within a few cache lines; the remaining axes form a batch.
    private static func transposingCopy(
        _ loop: StridedLoop, sourceUnitAxis: Int,
        from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>
    ) {
        let tile = 32
        let last = loop.extents.count - 1
        let (rows, columns) = (loop.extents[sourceUnitAxis], loop.extents[last])
        let (rowStride, columnStride) = (loop.strides[sourceUnitAxis][0], loop.strides[last][1])
        var batchExtents = loop.extents, batchStrides = loop.strides
        for axis in [last, sourceUnitAxis] {
            batchExtents.remove(at: axis)
            batchStrides.remove(at: axis)
        }
        let batch = StridedLoop(extents: batchExtents, strides: batchStrides)
        let rowBlocks = (rows + tile - 1) / tile
        Parallel.forRanges(
            batch.elementCount * rowBlocks, minimumChunk: Swift.max(1, StridedLoop.minimumChunk / (tile * columns))
        ) { _, tasks in
            for task in tasks {
                let (position, block) = task.quotientAndRemainder(dividingBy: rowBlocks)
                let offsets = batch.offsets(ofElement: position)
                let (output, input) = (destination + offsets[0], source + offsets[1])
                for firstColumn in stride(from: 0, to: columns, by: tile) {
                    let columnRange = firstColumn..<Swift.min(columns, firstColumn + tile)
                    for row in (block * tile)..<Swift.min(rows, (block + 1) * tile) {
                        let (outputRow, inputColumn) = (output + row * rowStride, input + row)
                        for column in columnRange { outputRow[column] = inputColumn[column * columnStride] }
                    }
                }
            }
        }
    }
}
