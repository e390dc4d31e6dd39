import FERTensor

// Shape and indexing operations. Views (reshape, squeeze, unsqueeze, flatten)
// reshape the gradient back; copies that pick elements (slice, index select,
// gather) scatter-add it into zeros of the input's shape; joins (concatenate,
// stack) slice it apart again.

extension Variable {
    /// The same elements with another shape (one axis may be -1), as `Tensor.reshaped`.
    public func reshaped(_ newShape: [Int]) -> Variable {
        view(value.reshaped(newShape), name: "reshape")
    }

    /// Without the extent-1 axis `axis`, or every extent-1 axis when `nil`, as `Tensor.squeezed`.
    public func squeezed(axis: Int? = nil) -> Variable {
        view(value.squeezed(axis: axis), name: "squeeze")
    }

    /// With a new extent-1 axis at `axis` (in `-(rank + 1)...rank`), as `Tensor.unsqueezed`.
    public func unsqueezed(axis: Int) -> Variable {
        view(value.unsqueezed(axis: axis), name: "unsqueeze")
    }

    /// Axes `startAxis...endAxis` merged into one, as `Tensor.flattened`.
    public func flattened(startAxis: Int = 0, endAxis: Int = -1) -> Variable {
        view(value.flattened(startAxis: startAxis, endAxis: endAxis), name: "flatten")
    }

    /// Broadcast to `shape` and materialised, as `Tensor.expanded(to:)`; the
    /// gradient is summed over the broadcast axes.
    public func expanded(to newShape: [Int]) -> Variable {
        let inputShape = shape
        return Variable.record(value.expanded(to: newShape), name: "expand", inputs: [self]) {
            [$0.sumReduced(toShape: inputShape)]
        }
    }

    /// Axes reordered so that axis `i` of the result is axis `axes[i]` of this
    /// variable, as `Tensor.permuted`; the gradient is permuted back.
    public func permuted(_ axes: [Int]) -> Variable {
        let output = value.permuted(axes)
        var inverse = [Int](repeating: 0, count: axes.count)
        for (position, axis) in axes.enumerated() { inverse[axis < 0 ? axis + axes.count : axis] = position }
        return Variable.record(output, name: "permute", inputs: [self]) { [$0.permuted(inverse)] }
    }

    /// The matrix transpose of a rank-2 variable, as `Tensor.transposed()`.
    public func transposed() -> Variable {
        Variable.record(value.transposed(), name: "transpose", inputs: [self]) { [$0.transposed()] }
    }

    /// Two axes swapped, as `Tensor.transposed(_:_:)`.
    public func transposed(_ axis0: Int, _ axis1: Int) -> Variable {
        Variable.record(value.transposed(axis0, axis1), name: "transpose", inputs: [self]) {
            [$0.transposed(axis0, axis1)]
        }
    }

    /// Every `step`-th element of `range` along `axis`, as `Tensor.sliced`.
    public func sliced(axis: Int, range: Range<Int>, step: Int = 1) -> Variable {
        let output = value.sliced(axis: axis, range: range, step: step)
        let indices = Array(Swift.stride(from: range.lowerBound, to: range.upperBound, by: step))
        return scattering(output, name: "slice", axis: axis, indices: indices)
    }

    /// The slices at `indices` along `axis` (repeats allowed), as
    /// `Tensor.indexSelected`; repeated indices accumulate their gradients.
    public func indexSelected(axis: Int, indices: [Int]) -> Variable {
        scattering(value.indexSelected(axis: axis, indices: indices), name: "indexSelect", axis: axis, indices: indices)
    }

    /// One element along `axis` per index, as `Tensor.gathered(alongAxis:indices:indexShape:)`
    /// (`torch.gather`); the gradient is scatter-added back, so repeated
    /// indices accumulate.
    public func gathered(alongAxis axis: Int, indices: [Int], indexShape: [Int]) -> Variable {
        let output = value.gathered(alongAxis: axis, indices: indices, indexShape: indexShape)
        let inputShape = shape
        let axis = axis < 0 ? axis + rank : axis
        return Variable.record(output, name: "gather", inputs: [self]) { gradient in
            [Variable.scatterAddingElements(gradient, alongAxis: axis, indices: indices, into: inputShape)]
        }
    }

    /// `torch.gather` with the indices held as exact integer `Float` values,
    /// as `Tensor.gathered(alongAxis:indices:)`.
    public func gathered(alongAxis axis: Int, indices: Tensor) -> Variable {
        let values = indices.scalars.map { value -> Int in
            precondition(value == value.rounded(), "gathered(alongAxis: \(axis)): index \(value) is not an integer")
            return Int(value)
        }
        return gathered(alongAxis: axis, indices: values, indexShape: indices.shape)
    }

    /// A copy with `value` added before and after the trailing axes, as
    /// `Tensor.padded` (pairs listed leading-to-trailing); the gradient is the
    /// un-padded part of the output gradient.
    public func padded(_ padding: [(before: Int, after: Int)], value fill: Float = 0) -> Variable {
        let inputShape = shape
        let lead = rank - padding.count
        return Variable.record(value.padded(padding, value: fill), name: "pad", inputs: [self]) { gradient in
            var inner = gradient
            for (index, pair) in padding.enumerated() where pair.before + pair.after > 0 {
                let axis = lead + index
                inner = inner.sliced(axis: axis, range: pair.before..<(pair.before + inputShape[axis]))
            }
            return [inner]
        }
    }

    /// The variables joined along an existing `axis`, as `Tensor.concatenated`.
    public static func concatenated(_ variables: [Variable], axis: Int) -> Variable {
        let output = Tensor.concatenated(variables.map(\.value), axis: axis)
        let axis = axis < 0 ? axis + output.rank : axis
        return record(output, name: "concatenate", inputs: variables) { gradient in
            var start = 0
            return variables.map { variable in
                let extent = variable.shape[axis]
                defer { start += extent }
                return variable.requiresGradient ? gradient.sliced(axis: axis, range: start..<(start + extent)) : nil
            }
        }
    }

    /// The variables joined along a new axis at `axis` (in `-(rank + 1)...rank`), as `Tensor.stacked`.
    ///
    /// - Precondition: at least one variable, all of the same shape.
    public static func stacked(_ variables: [Variable], axis: Int = 0) -> Variable {
        precondition(!variables.isEmpty, "stacked: needs at least one variable")
        let shape = variables[0].shape
        precondition(variables.allSatisfy { $0.shape == shape }, "stacked: shapes differ, \(variables.map(\.shape))")
        return concatenated(variables.map { $0.unsqueezed(axis: axis) }, axis: axis)
    }

    /// Consecutive pieces along `axis` with the given extents, as `Tensor.split(sizes:axis:)`.
    ///
    /// - Precondition: the sizes are non-negative and add up to `shape[axis]`.
    public func split(sizes: [Int], axis: Int) -> [Variable] {
        let normalized = axis < 0 ? axis + rank : axis
        precondition(
            normalized >= 0 && normalized < rank && sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == shape[normalized],
            "split(sizes: \(sizes), axis: \(axis)): sizes must add up to the axis extent of shape \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return sliced(axis: normalized, range: start..<(start + size))
        }
    }

    /// At most `count` pieces of `ceil(extent / count)` along `axis` (the last
    /// one shorter), as `Tensor.chunked`.
    ///
    /// - Precondition: `count >= 1`, `axis` valid.
    public func chunked(_ count: Int, axis: Int) -> [Variable] {
        precondition(count >= 1, "chunked(\(count), axis: \(axis)): count must be positive")
        let normalized = axis < 0 ? axis + rank : axis
        precondition(normalized >= 0 && normalized < rank, "chunked(\(count), axis: \(axis)): axis out of range for shape \(shape)")
        let extent = shape[normalized]
        guard extent > 0 else { return [self] }
        let size = (extent + count - 1) / count
        return split(sizes: Swift.stride(from: 0, to: extent, by: size).map { Swift.min(size, extent - $0) }, axis: normalized)
    }

    /// Elementwise choice with a constant condition, as `Tensor.where` (`torch.where`):
    /// `a` where `condition` is nonzero, `b` elsewhere, all three broadcast
    /// together. Each branch receives the gradient where it was chosen.
    public static func `where`(_ condition: Tensor, _ a: Variable, _ b: Variable) -> Variable {
        record(Tensor.where(condition, a.value, b.value), name: "where", inputs: [a, b]) { gradient in
            [a.requiresGradient ? Tensor.where(condition, gradient, 0).sumReduced(toShape: a.shape) : nil,
             b.requiresGradient ? Tensor.where(condition, 0, gradient).sumReduced(toShape: b.shape) : nil]
        }
    }

    /// `where` with a constant for the unselected elements (`masked_fill` with
    /// the mask inverted).
    public static func `where`(_ condition: Tensor, _ a: Variable, _ b: Float) -> Variable {
        `where`(condition, a, Variable(Tensor(b)))
    }

    /// A view-like result holding this variable's elements in another shape;
    /// the gradient is reshaped back.
    private func view(_ output: Tensor, name: String) -> Variable {
        let inputShape = shape
        return Variable.record(output, name: name, inputs: [self]) { [$0.reshaped(inputShape)] }
    }

    /// A result made of the slices at `indices` along `axis`; the gradient
    /// slices are added back at those indices.
    private func scattering(_ output: Tensor, name: String, axis: Int, indices: [Int]) -> Variable {
        let inputShape = shape
        let axis = axis < 0 ? axis + rank : axis
        return Variable.record(output, name: name, inputs: [self]) { gradient in
            [Variable.scatterAddingSlices(gradient, alongAxis: axis, indices: indices, into: inputShape)]
        }
    }

    /// Zeros of `shape` with slice `k` of `gradient` along `axis` added at
    /// `indices[k]`: the adjoint of `indexSelected` (and of slicing).
    private static func scatterAddingSlices(_ gradient: Tensor, alongAxis axis: Int, indices: [Int], into shape: [Int]) -> Tensor {
        let outer = shape[..<axis].reduce(1, *), length = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        var result = Tensor.zeros(shape)
        result.withUnsafeMutableBufferPointer { output in
            gradient.withUnsafeBufferPointer { upstream in
                Parallel.forRanges(outer, minimumChunk: Swift.max(1, (1 << 14) / Swift.max(1, indices.count * inner))) { _, rows in
                    for row in rows {
                        for (position, index) in indices.enumerated() {
                            let source = upstream.baseAddress! + (row * indices.count + position) * inner
                            let target = output.baseAddress! + (row * length + index) * inner
                            for element in 0..<inner { target[element] += source[element] }
                        }
                    }
                }
            }
        }
        return result
    }

    /// Zeros of `shape` with each element of `gradient` (of the index shape)
    /// added at its own position, the `axis` coordinate replaced by its index:
    /// the adjoint of `gathered`.
    private static func scatterAddingElements(_ gradient: Tensor, alongAxis axis: Int, indices: [Int], into shape: [Int]) -> Tensor {
        let strides = Tensor.contiguousStrides(of: shape), indexShape = gradient.shape
        var coordinates = [Int](repeating: 0, count: indexShape.count)
        var result = Tensor.zeros(shape)
        result.withUnsafeMutableBufferPointer { output in
            gradient.withUnsafeBufferPointer { upstream in
                for position in upstream.indices {
                    var offset = indices[position] * strides[axis]
                    for dimension in coordinates.indices where dimension != axis {
                        offset += coordinates[dimension] * strides[dimension]
                    }
                    output[offset] += upstream[position]
                    var dimension = coordinates.count - 1
                    while dimension >= 0 {
                        coordinates[dimension] += 1
                        if coordinates[dimension] < indexShape[dimension] { break }
                        coordinates[dimension] = 0
                        dimension -= 1
                    }
                }
            }
        }
        return result
    }
}
