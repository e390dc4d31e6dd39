import Testing
@testable import FERTensor

@Suite struct ShapeOpsTests {
    /// Naive permute: result[i] = source[i permuted back].
    func naivePermuted(_ tensor: Tensor, _ axes: [Int]) -> Tensor {
        let order = axes.map { $0 < 0 ? $0 + tensor.rank : $0 }
        return Naive.tensor(order.map { tensor.shape[$0] }) { index in
            var source = [Int](repeating: 0, count: tensor.rank)
            for (position, axis) in order.enumerated() { source[axis] = index[position] }
            return Naive.value(tensor, at: source)
        }
    }

    static let permutations: [([Int], [Int])] = [
        ([2, 3, 5, 7], [0, 2, 3, 1]), ([2, 5, 7, 3], [0, 3, 1, 2]), ([37, 45], [1, 0]), ([64, 33], [1, 0]),
        ([3, 4, 5], [2, 1, 0]), ([3, 4, 5], [1, 0, 2]), ([3, 4, 5], [0, 2, 1]), ([2, 3, 4, 5], [3, 1, 0, 2]),
        ([1, 5, 1, 3], [3, 2, 1, 0]), ([5, 1, 3], [2, 0, 1]), ([4], [0]), ([], []), ([2, 3], [-1, -2]),
        ([4, 64, 32, 32], [0, 2, 3, 1]), ([4, 32, 32, 64], [0, 3, 1, 2]), ([300, 257], [1, 0]), ([2, 0, 3], [2, 1, 0]),
    ]

    @Test func permuteMatchesNaiveReference() {
        for (index, (shape, axes)) in Self.permutations.enumerated() {
            let tensor = randomTensor(shape, seed: UInt64(index))
            #expect(tensor.permuted(axes) == naivePermuted(tensor, axes), "\(shape) permuted \(axes)")
        }
    }

    @Test func permuteThenInverseIsIdentity() {
        for (index, (shape, axes)) in Self.permutations.enumerated() {
            let order = axes.map { $0 < 0 ? $0 + shape.count : $0 }
            var inverse = [Int](repeating: 0, count: order.count)
            for (position, axis) in order.enumerated() { inverse[axis] = position }
            let tensor = randomTensor(shape, seed: UInt64(100 + index))
            #expect(tensor.permuted(axes).permuted(inverse) == tensor, "\(shape) permuted \(axes)")
        }
    }

    @Test func transposedSwapsTwoAxes() {
        let matrix = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(matrix.transposed() == Tensor(shape: [3, 2], scalars: [1, 4, 2, 5, 3, 6]))
        let tensor = randomTensor([2, 3, 4, 5], seed: 1)
        #expect(tensor.transposed(1, 3) == naivePermuted(tensor, [0, 3, 2, 1]))
        #expect(tensor.transposed(-1, 0) == naivePermuted(tensor, [3, 1, 2, 0]))
        #expect(tensor.transposed(2, 2) == tensor)
    }

    @Test func slicedMatchesNaiveReference() {
        let cases: [([Int], Int, Range<Int>, Int)] = [
            ([5, 6], 0, 1..<4, 1), ([5, 6], 1, 0..<6, 2), ([5, 6], -1, 1..<6, 3), ([2, 7, 3], 1, 2..<7, 2),
            ([2, 7, 3], 2, 1..<2, 1), ([2, 7, 3], 0, 1..<1, 1), ([9], 0, 0..<9, 4), ([300, 500], 1, 3..<490, 1),
        ]
        for (index, (shape, axis, range, step)) in cases.enumerated() {
            let tensor = randomTensor(shape, seed: UInt64(index))
            let normalized = axis < 0 ? axis + shape.count : axis
            var resultShape = shape
            resultShape[normalized] = stride(from: range.lowerBound, to: range.upperBound, by: step).underestimatedCount
            let expected = Naive.tensor(resultShape) { index in
                var source = index
                source[normalized] = range.lowerBound + index[normalized] * step
                return Naive.value(tensor, at: source)
            }
            #expect(tensor.sliced(axis: axis, range: range, step: step) == expected, "\(shape) axis \(axis) \(range) step \(step)")
        }
        #expect(Tensor.arange(to: 10).sliced(axis: 0, range: 1..<8, step: 3).scalars == [1, 4, 7])
    }

    @Test func concatenatedMatchesNaiveReference() {
        for axis in -3..<3 {
            let normalized = axis < 0 ? axis + 3 : axis
            let pieces = [1, 3, 0, 2].enumerated().map { seed, extent -> Tensor in
                var shape = [2, 3, 4]
                shape[normalized] = extent
                return randomTensor(shape, seed: UInt64(seed))
            }
            var resultShape = [2, 3, 4]
            resultShape[normalized] = 6
            let expected = Naive.tensor(resultShape) { index in
                var position = index[normalized]
                for piece in pieces {
                    if position < piece.shape[normalized] {
                        var source = index
                        source[normalized] = position
                        return Naive.value(piece, at: source)
                    }
                    position -= piece.shape[normalized]
                }
                return .nan
            }
            #expect(Tensor.concatenated(pieces, axis: axis) == expected, "axis \(axis)")
        }
    }

    @Test func splitUndoesConcatenation() {
        let tensor = randomTensor([3, 10, 2], seed: 4)
        let pieces = tensor.split(sizes: [4, 0, 5, 1], axis: 1)
        #expect(pieces.map(\.shape) == [[3, 4, 2], [3, 0, 2], [3, 5, 2], [3, 1, 2]])
        #expect(Tensor.concatenated(pieces, axis: 1) == tensor)
        #expect(pieces[2] == tensor.sliced(axis: 1, range: 4..<9))
    }

    @Test func chunkedFollowsTorchChunkSizes() {
        let tensor = randomTensor([10, 3], seed: 5)
        #expect(tensor.chunked(3, axis: 0).map { $0.shape[0] } == [4, 4, 2])
        #expect(tensor.chunked(4, axis: 0).map { $0.shape[0] } == [3, 3, 3, 1])
        #expect(Tensor.zeros([5]).chunked(4, axis: 0).map { $0.shape[0] } == [2, 2, 1])
        #expect(tensor.chunked(1, axis: -1).count == 1)
        #expect(Tensor.concatenated(tensor.chunked(3, axis: -1), axis: -1) == tensor)
        #expect(Tensor.concatenated(tensor.chunked(3, axis: 0), axis: 0) == tensor)
    }

    @Test func stackedInsertsANewAxis() {
        let tensors = (0..<3).map { randomTensor([2, 4], seed: UInt64($0)) }
        for axis in -3...2 {
            let normalized = axis < 0 ? axis + 3 : axis
            let stacked = Tensor.stacked(tensors, axis: axis)
            var expectedShape = [2, 4]
            expectedShape.insert(3, at: normalized)
            let expected = Naive.tensor(expectedShape) { index in
                var source = index
                let which = source.remove(at: normalized)
                return Naive.value(tensors[which], at: source)
            }
            #expect(stacked == expected, "axis \(axis)")
        }
        #expect(Tensor.stacked([Tensor(1), Tensor(2)]).scalars == [1, 2])
    }

    @Test func paddedMatchesNaiveReference() {
        let cases: [([Int], [(before: Int, after: Int)])] = [
            ([2, 3], [(1, 2), (0, 1)]), ([2, 3, 4, 5], [(1, 1), (2, 0)]), ([4], [(3, 0)]), ([2, 3], []),
            ([1, 2, 2], [(0, 0), (1, 1), (1, 1)]), ([2, 16, 50, 50], [(1, 1), (1, 1)]),
        ]
        for (index, (shape, padding)) in cases.enumerated() {
            let tensor = randomTensor(shape, seed: UInt64(index))
            let lead = shape.count - padding.count
            var resultShape = shape
            for (offset, pair) in padding.enumerated() { resultShape[lead + offset] += pair.before + pair.after }
            let expected = Naive.tensor(resultShape) { index in
                var source = index
                for (offset, pair) in padding.enumerated() { source[lead + offset] -= pair.before }
                let inside = source.indices.allSatisfy { source[$0] >= 0 && source[$0] < shape[$0] }
                return inside ? Naive.value(tensor, at: source) : -7
            }
            #expect(tensor.padded(padding, value: -7) == expected, "\(shape) padded \(padding)")
        }
        #expect(Tensor([1, 2]).padded([(1, 1)]).scalars == [0, 1, 2, 0])
    }

    @Test func indexSelectedMatchesNaiveReference() {
        let tensor = randomTensor([3, 5, 4], seed: 6)
        for (axis, indices) in [(0, [2, 0, 2]), (1, [4, 1]), (2, [3]), (-1, [0, 0, 1, 2, 3]), (1, [])] {
            let normalized = axis < 0 ? axis + 3 : axis
            var resultShape = tensor.shape
            resultShape[normalized] = indices.count
            let expected = Naive.tensor(resultShape) { index in
                var source = index
                source[normalized] = indices[index[normalized]]
                return Naive.value(tensor, at: source)
            }
            #expect(tensor.indexSelected(axis: axis, indices: indices) == expected, "axis \(axis) indices \(indices)")
        }
    }

    @Test func gatheredMatchesNaiveReference() {
        let tensor = randomTensor([4, 5, 6], seed: 7)
        var generator = RandomGenerator(seed: 8)
        for (axis, indexShape) in [(0, [3, 5, 6]), (1, [4, 7, 2]), (2, [2, 3, 4]), (-1, [4, 5, 9]), (1, [1, 1, 1])] {
            let normalized = axis < 0 ? axis + 3 : axis
            let indices = (0..<Tensor.elementCount(of: indexShape)).map { _ in Int(generator.nextUniform() * Float(tensor.shape[normalized])) }
            let expected = Naive.tensor(indexShape) { index in
                var source = index
                source[normalized] = indices[Naive.flatIndex(index, in: indexShape)]
                return Naive.value(tensor, at: source)
            }
            #expect(tensor.gathered(alongAxis: axis, indices: indices, indexShape: indexShape) == expected, "axis \(axis) \(indexShape)")
        }
        let scores = Tensor(shape: [2, 3], scalars: [1, 9, 3, 7, 2, 8])
        #expect(scores.gathered(alongAxis: 1, indices: scores.argmax(alongAxis: 1, keepingDimension: true)).scalars == [9, 8])
    }

    @Test func squeezeUnsqueezeAndFlattenKeepElementOrder() {
        let tensor = randomTensor([2, 1, 3, 1], seed: 9)
        #expect(tensor.squeezed().shape == [2, 3])
        #expect(tensor.squeezed(axis: 1).shape == [2, 3, 1])
        #expect(tensor.squeezed(axis: -1).shape == [2, 1, 3])
        #expect(tensor.unsqueezed(axis: 0).shape == [1, 2, 1, 3, 1])
        #expect(tensor.unsqueezed(axis: -1).shape == [2, 1, 3, 1, 1])
        #expect(tensor.unsqueezed(axis: 4).shape == [2, 1, 3, 1, 1])
        #expect(Tensor(3).unsqueezed(axis: 0).shape == [1])
        #expect(tensor.flattened().shape == [6])
        #expect(tensor.flattened(startAxis: 1).shape == [2, 3])
        #expect(tensor.flattened(startAxis: 1, endAxis: 2).shape == [2, 3, 1])
        #expect(tensor.flattened(startAxis: -2, endAxis: -1).shape == [2, 1, 3])
        #expect(Tensor(3).flattened().shape == [1])
        for reshaped in [tensor.squeezed(), tensor.unsqueezed(axis: 2), tensor.flattened(startAxis: 1)] {
            #expect(reshaped.scalars == tensor.scalars)
        }
    }

    @Test func badAxisStopsWithAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros([2, 3]).permuted([0, 0])
        }
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros([2, 3]).sliced(axis: 2, range: 0..<1)
        }
    }
}
