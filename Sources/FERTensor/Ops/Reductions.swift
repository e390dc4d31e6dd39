/// `(a - b)²`, the summand of a variance.
struct SquaredDifferenceOperation: BinaryFloatOperation {
    @inline(__always) func apply(_ a: Float, _ b: Float) -> Float {
        let difference = a - b
        return difference * difference
    }
}

extension Tensor {
    /// Sum over `axes` (all axes when `nil`); reduced axes are removed, or
    /// kept with extent 1 when `keepingDimensions`. Negative axes count from
    /// the end. The sum of nothing is 0.
    ///
    /// - Precondition: the axes are valid for this rank and distinct.
    public func sum(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        reduced(SumReduction.self, axes: reductionMask(axes, "sum"), keepingDimensions: keepingDimensions)
    }

    /// Arithmetic mean over `axes` (all when `nil`); NaN over zero elements.
    ///
    /// - Precondition: the axes are valid for this rank and distinct.
    public func mean(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let mask = reductionMask(axes, "mean")
        var result = reduced(SumReduction.self, axes: mask, keepingDimensions: keepingDimensions)
        result /= Float(reducedCount(mask))
        return result
    }

    /// Largest element over `axes` (all when `nil`). NaN handling is unspecified.
    ///
    /// - Precondition: the axes are valid and distinct, and none of them has extent 0.
    public func max(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let mask = reductionMask(axes, "max")
        requireNonemptyReduction(mask, "max(alongAxes: \(axes.map { "\($0)" } ?? "nil"))")
        return reduced(MaximumReduction.self, axes: mask, keepingDimensions: keepingDimensions)
    }

    /// Smallest element over `axes` (all when `nil`). NaN handling is unspecified.
    ///
    /// - Precondition: the axes are valid and distinct, and none of them has extent 0.
    public func min(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let mask = reductionMask(axes, "min")
        requireNonemptyReduction(mask, "min(alongAxes: \(axes.map { "\($0)" } ?? "nil"))")
        return reduced(MinimumReduction.self, axes: mask, keepingDimensions: keepingDimensions)
    }

    /// Variance over `axes` (all when `nil`): the mean squared deviation from
    /// the mean, divided by `n` (population, PyTorch's `unbiased=False`) or by
    /// `n - 1` when `unbiased` (Bessel's correction). Computed in two passes.
    ///
    /// - Precondition: the axes are valid for this rank and distinct.
    public func variance(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false, unbiased: Bool = false) -> Tensor {
        let mask = reductionMask(axes, "variance")
        let mean = self.mean(alongAxes: axes, keepingDimensions: true)
        let deviations = Tensor.broadcasting(self, mean, SquaredDifferenceOperation(), name: "variance")
        var result = deviations.reduced(SumReduction.self, axes: mask, keepingDimensions: keepingDimensions)
        result /= Float(reducedCount(mask) - (unbiased ? 1 : 0))
        return result
    }

    /// Index of the largest element along `axis` (the first one on ties), as
    /// exact `Float` values; the axis is removed unless `keepingDimension`.
    ///
    /// - Precondition: `axis` is valid and its extent is positive.
    public func argmax(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        argExtremum(MaximumReduction.self, axis: axis, keepingDimension: keepingDimension, name: "argmax")
    }

    /// Index of the smallest element along `axis` (the first one on ties), as
    /// exact `Float` values; the axis is removed unless `keepingDimension`.
    ///
    /// - Precondition: `axis` is valid and its extent is positive.
    public func argmin(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        argExtremum(MinimumReduction.self, axis: axis, keepingDimension: keepingDimension, name: "argmin")
    }

    /// Row-major position of the largest element (the first one on ties).
    ///
    /// - Precondition: the tensor is not empty.
    public func argmax() -> Int {
        precondition(count > 0, "argmax() of an empty tensor of shape \(shape)")
        return withUnsafeBufferPointer { Reduction.argExtremumRun(MaximumReduction.self, $0.baseAddress!, count: count) }
    }

    /// Row-major position of the smallest element (the first one on ties).
    ///
    /// - Precondition: the tensor is not empty.
    public func argmin() -> Int {
        precondition(count > 0, "argmin() of an empty tensor of shape \(shape)")
        return withUnsafeBufferPointer { Reduction.argExtremumRun(MinimumReduction.self, $0.baseAddress!, count: count) }
    }

    /// Which axes `axes` names (all when `nil`), as a mask over this tensor's axes.
    private func reductionMask(_ axes: [Int]?, _ name: String) -> [Bool] {
        guard let axes else { return [Bool](repeating: true, count: rank) }
        var mask = [Bool](repeating: false, count: rank)
        for axis in axes {
            let normalized = Tensor.normalizedAxis(axis, rank: rank, name)
            precondition(!mask[normalized], "\(name)(alongAxes: \(axes)): axis \(axis) repeated for shape \(shape)")
            mask[normalized] = true
        }
        return mask
    }

    /// Number of elements that reduce into each output element.
    private func reducedCount(_ mask: [Bool]) -> Int {
        shape.indices.reduce(1) { mask[$1] ? $0 * shape[$1] : $0 }
    }

    /// Stops when some output element would reduce zero elements (which
    /// have no maximum or minimum).
    private func requireNonemptyReduction(_ mask: [Bool], _ operation: String) {
        let keptCount = shape.indices.reduce(1) { mask[$1] ? $0 : $0 * shape[$1] }
        precondition(reducedCount(mask) > 0 || keptCount == 0, "\(operation): reduces an empty axis of shape \(shape)")
    }

    /// Reduces the masked axes. Adjacent axes of the same kind are merged and
    /// the innermost reduced group is reduced first, as `[outer, length,
    /// inner]`: reductions over the last axis run along contiguous memory;
    /// others accumulate whole rows, so nothing is ever permuted.
    private func reduced<R: ReductionOperation>(_ operation: R.Type, axes mask: [Bool], keepingDimensions: Bool) -> Tensor {
        var groups: [(extent: Int, reduced: Bool)] = []
        for axis in shape.indices where shape[axis] != 1 {
            if let last = groups.last, last.reduced == mask[axis] {
                groups[groups.count - 1].extent *= shape[axis]
            } else {
                groups.append((shape[axis], mask[axis]))
            }
        }
        var current = self
        while let group = groups.lastIndex(where: { $0.reduced }) {
            let outer = groups[..<group].reduce(1) { $0 * $1.extent }
            let inner = groups[(group + 1)...].reduce(1) { $0 * $1.extent }
            let next = Tensor.empty([outer * inner])
            current.withUnsafeBufferPointer { source in
                Reduction.reduce(
                    operation, source.baseAddress!, outer: outer, length: groups[group].extent, inner: inner,
                    into: next.storage.base)
            }
            current = next
            groups.remove(at: group)
            if group > 0 && group < groups.count {
                groups[group - 1].extent *= groups[group].extent
                groups.remove(at: group)
            }
        }
        let resultShape = keepingDimensions
            ? shape.indices.map { mask[$0] ? 1 : shape[$0] }
            : shape.indices.filter { !mask[$0] }.map { shape[$0] }
        return current.reshaped(resultShape)
    }

    /// Shared body of `argmax(alongAxis:)` and `argmin(alongAxis:)`.
    private func argExtremum<R: ExtremumReduction>(
        _ operation: R.Type, axis: Int, keepingDimension: Bool, name: String
    ) -> Tensor {
        let axis = Tensor.normalizedAxis(axis, rank: Swift.max(rank, 1), name)
        let (outer, length, inner) = rank == 0 ? (1, 1, 1) : splitShape(at: axis)
        precondition(length > 0, "\(name)(alongAxis: \(axis)): axis has extent 0 in shape \(shape)")
        var resultShape = shape
        if rank > 0 {
            if keepingDimension { resultShape[axis] = 1 } else { resultShape.remove(at: axis) }
        }
        let result = Tensor.empty(resultShape)
        withUnsafeBufferPointer { source in
            Reduction.argExtremum(
                operation, source.baseAddress!, outer: outer, length: length, inner: inner, into: result.storage.base)
        }
        return result
    }
}
