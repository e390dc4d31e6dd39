import Testing
@testable import FERTensor

/// Reduces `tensor` over `axes` by collecting, for each output position, the
/// list of elements that fall into it, then applying `reduce` to that list.
func naiveReduced(_ tensor: Tensor, axes: [Int], keepingDimensions: Bool, _ reduce: ([Float]) -> Float) -> Tensor {
    let reduced = Set(axes.map { $0 < 0 ? $0 + tensor.rank : $0 })
    let resultShape = tensor.shape.indices.compactMap { reduced.contains($0) ? (keepingDimensions ? 1 : nil) : tensor.shape[$0] }
    var groups: [Int: [Float]] = [:]
    for index in Naive.indices(of: tensor.shape) {
        let resultIndex = index.indices.compactMap { reduced.contains($0) ? (keepingDimensions ? 0 : nil) : index[$0] }
        groups[Naive.flatIndex(resultIndex, in: resultShape), default: []].append(Naive.value(tensor, at: index))
    }
    return Naive.tensor(resultShape) { reduce(groups[Naive.flatIndex($0, in: resultShape)] ?? []) }
}

@Suite struct ReductionTests {
    static let shapes: [[Int]] = [[], [1], [7], [3, 5], [2, 3, 4], [1, 4, 1, 3], [2, 3, 2, 5], [3, 0, 2], [40, 33]]

    func sumReference(_ values: [Float]) -> Float { Float(values.reduce(0.0) { $0 + Double($1) }) }
    func meanReference(_ values: [Float]) -> Float { sumReference(values) / Float(values.count) }

    /// Checks `operation(axes, keep)` against `reference` for every subset of
    /// axes, with both signs of axis numbering, with and without kept dimensions.
    func checkEveryAxisSubset(
        _ name: String, includeEmpty: Bool = true,
        _ operation: (Tensor, [Int]?, Bool) -> Tensor, _ reference: ([Float]) -> Float,
        integerValued: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for (index, shape) in Self.shapes.enumerated() where includeEmpty || !shape.contains(0) {
            let tensor = integerValued ? randomIntegerTensor(shape, seed: UInt64(index)) : randomTensor(shape, seed: UInt64(index))
            for axes in Naive.axisSubsets(rank: shape.count) {
                for keep in [false, true] {
                    let negative = axes.map { $0 - shape.count }
                    let expected = naiveReduced(tensor, axes: axes, keepingDimensions: keep, reference)
                    expectClose(operation(tensor, axes, keep), expected, absolute: 1e-5, relative: Tolerance.accumulated,
                                "\(name) \(shape) axes \(axes) keep \(keep)", sourceLocation: sourceLocation)
                    expectClose(operation(tensor, negative, keep), expected, absolute: 1e-5, relative: Tolerance.accumulated,
                                "\(name) \(shape) axes \(negative) keep \(keep)", sourceLocation: sourceLocation)
                }
            }
            let all = naiveReduced(tensor, axes: Array(shape.indices), keepingDimensions: false, reference)
            expectClose(operation(tensor, nil, false), all, absolute: 1e-5, relative: Tolerance.accumulated,
                        "\(name) \(shape) all axes", sourceLocation: sourceLocation)
        }
    }

    @Test func sumMatchesNaiveForEveryAxisSubset() {
        checkEveryAxisSubset("sum", { $0.sum(alongAxes: $1, keepingDimensions: $2) }, sumReference)
    }

    @Test func meanMatchesNaiveForEveryAxisSubset() {
        checkEveryAxisSubset("mean", { $0.mean(alongAxes: $1, keepingDimensions: $2) }, meanReference)
    }

    @Test func maxMatchesNaiveForEveryAxisSubset() {
        checkEveryAxisSubset("max", includeEmpty: false, { $0.max(alongAxes: $1, keepingDimensions: $2) }, { $0.max()! })
    }

    @Test func minMatchesNaiveForEveryAxisSubset() {
        checkEveryAxisSubset("min", includeEmpty: false, { $0.min(alongAxes: $1, keepingDimensions: $2) }, { $0.min()! })
    }

    @Test func varianceMatchesNaiveTwoPassFormula() {
        for unbiased in [false, true] {
            checkEveryAxisSubset("variance", includeEmpty: false, {
                $0.variance(alongAxes: $1, keepingDimensions: $2, unbiased: unbiased)
            }, { values in
                let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
                let squares = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) }
                return Float(squares / Double(values.count - (unbiased ? 1 : 0)))
            })
        }
    }

    @Test func handComputedReductions() {
        let x = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        #expect(x.sum(alongAxes: [0]).scalars == [4, 6])
        #expect(x.sum(alongAxes: [1], keepingDimensions: true) == Tensor(shape: [2, 1], scalars: [3, 7]))
        #expect(x.sum().shape == [] && x.sum().item == 10)
        #expect(x.mean().item == 2.5)
        #expect(x.max(alongAxes: [-1]).scalars == [2, 4])
        #expect(x.min(alongAxes: [0]).scalars == [1, 2])
        #expect(x.variance().item == 1.25)
        #expect(x.variance(unbiased: true).item == Float(5.0 / 3.0))
        #expect(Tensor.zeros([0, 3]).sum(alongAxes: [0]).scalars == [0, 0, 0])
        #expect(Tensor.zeros([0]).mean().item.isNaN)
    }

    @Test func longSumsAreAccurateAndIndependentOfThreadCount() {
        let x = randomTensor([3 << 18], seed: 11) + 1
        let exact = x.scalars.reduce(0.0) { $0 + Double($1) }
        let total = x.sum().item
        #expect(Swift.abs(Double(total) - exact) <= 1e-5 * Swift.abs(exact))
        // The parallel sums must equal the single-threaded block-by-block sum bit for bit.
        let serial = x.withUnsafeBufferPointer { Reduction.reduceRun(SumReduction.self, $0.baseAddress!, count: $0.count) }
        #expect(serial.bitPattern == total.bitPattern)
        let rows = x.reshaped([3, 1 << 18]).sum(alongAxes: [1]).scalars
        for row in 0..<3 {
            let serialRow = x.withUnsafeBufferPointer {
                Reduction.reduceRun(SumReduction.self, $0.baseAddress! + (row << 18), count: 1 << 18)
            }
            #expect(rows[row].bitPattern == serialRow.bitPattern, "row \(row)")
        }
        let large = randomTensor([64, 33, 70], seed: 12)
        expectClose(large.sum(alongAxes: [0, 2]), naiveReduced(large, axes: [0, 2], keepingDimensions: false, sumReference),
                    absolute: 1e-4, relative: Tolerance.accumulated)
    }

    /// Naive arg-extremum along one axis: first index of the preferred value.
    func naiveArgExtremum(_ tensor: Tensor, axis: Int, keep: Bool, prefers: (Float, Float) -> Bool) -> Tensor {
        let axis = axis < 0 ? axis + tensor.rank : axis
        var resultShape = tensor.shape
        if keep { resultShape[axis] = 1 } else { resultShape.remove(at: axis) }
        return Naive.tensor(resultShape) { index in
            var source = index
            if !keep { source.insert(0, at: axis) }
            var best = 0
            for candidate in 0..<tensor.shape[axis] {
                source[axis] = candidate
                var current = source
                current[axis] = best
                if prefers(Naive.value(tensor, at: source), Naive.value(tensor, at: current)) { best = candidate }
            }
            return Float(best)
        }
    }

    @Test func argmaxAndArgminMatchNaiveWithFirstIndexOnTies() {
        for (index, shape) in ([[7], [3, 5], [2, 3, 4], [1, 4, 1, 3], [40, 1100]] as [[Int]]).enumerated() {
            let tensor = randomIntegerTensor(shape, seed: UInt64(index))
            for axis in -shape.count..<shape.count {
                for keep in [false, true] {
                    #expect(tensor.argmax(alongAxis: axis, keepingDimension: keep) == naiveArgExtremum(tensor, axis: axis, keep: keep, prefers: >),
                            "argmax \(shape) axis \(axis)")
                    #expect(tensor.argmin(alongAxis: axis, keepingDimension: keep) == naiveArgExtremum(tensor, axis: axis, keep: keep, prefers: <),
                            "argmin \(shape) axis \(axis)")
                }
            }
            let values = tensor.scalars
            #expect(tensor.argmax() == values.firstIndex(of: values.max()!))
            #expect(tensor.argmin() == values.firstIndex(of: values.min()!))
        }
        #expect(Tensor(shape: [2, 3], scalars: [1, 5, 5, 9, 0, 9]).argmax(alongAxis: 1).scalars == [1, 0])
        #expect(Tensor(4).argmax(alongAxis: 0).shape == [])
    }

    @Test func emptyAxisMaxStopsWithAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros([0, 3]).max(alongAxes: [0])
        }
    }
}
