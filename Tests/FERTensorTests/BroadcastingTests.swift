import Testing
@testable import FERTensor

@Suite struct BroadcastingTests {
    /// Operand shape pairs covering broadcasting in every position.
    static let shapePairs: [([Int], [Int])] = [
        ([2, 3], [2, 3]), ([], [4, 5]), ([4, 5], []), ([], []), ([3, 1], [1, 4]), ([2, 3, 4], [4]),
        ([2, 3, 4], [3, 1]), ([2, 1, 4], [2, 3, 1]), ([5], [1]), ([1], []), ([2, 3, 4, 5], [1, 3, 1, 1]),
        ([2, 3, 4, 5], [2, 1, 4, 1]), ([7, 1, 5], [1, 6, 1]), ([1, 1, 3], [2, 3, 1]), ([3, 0, 2], [2]),
        ([6], [6]), ([1, 2, 1, 2, 1], [2, 1, 2, 1, 2]),
    ]

    @Test func broadcastShapeFollowsNumPyRules() {
        #expect(Tensor.broadcastShape([2, 1, 3], [4, 3]) == [2, 4, 3])
        #expect(Tensor.broadcastShape([], [3]) == [3])
        #expect(Tensor.broadcastShape([5, 1], [1]) == [5, 1])
        #expect(Tensor.broadcastShape([0], [1]) == [0])
        #expect(Tensor.broadcastShape([1, 0], [3, 1]) == [3, 0])
        #expect(Tensor.broadcastShape([2, 3], [3, 2]) == nil)
        #expect(Tensor.broadcastShape([3], [4]) == nil)
        for (a, b) in Self.shapePairs {
            #expect(Tensor.broadcastShape(a, b) == Naive.broadcastShape(a, b))
            #expect(Tensor.broadcastShape(b, a) == Naive.broadcastShape(a, b))
        }
    }

    @Test func expandedMatchesNaiveBroadcast() {
        let cases: [([Int], [Int])] = [
            ([], [2, 3]), ([3], [2, 3]), ([2, 1], [2, 5]), ([1, 3, 1], [4, 3, 2]), ([2, 1, 3], [2, 4, 3]),
            ([1], [0]), ([4], [4]), ([300, 1], [300, 400]),
        ]
        for (index, (source, target)) in cases.enumerated() {
            let tensor = randomTensor(source, seed: UInt64(index))
            let expected = Naive.tensor(target) { Naive.broadcastValue(tensor, at: $0) }
            #expect(tensor.expanded(to: target) == expected, "\(source) -> \(target)")
        }
    }

    @Test func sumReducedMatchesNaiveSumOverExpandedAxes() {
        let cases: [([Int], [Int])] = [
            ([2, 3], [3]), ([2, 3], [2, 1]), ([2, 3], []), ([4, 3, 5], [3, 1]), ([4, 3, 5], [4, 1, 5]),
            ([4, 3, 5], [4, 3, 5]), ([2, 1, 3], [1, 1, 3]), ([6, 70, 300], [70, 1]),
        ]
        for (index, (full, target)) in cases.enumerated() {
            let gradient = randomTensor(full, seed: UInt64(10 + index))
            let lead = full.count - target.count
            var expected = Naive.tensor(target) { _ in 0 }
            var sums = expected.scalars.map(Double.init)
            for fullIndex in Naive.indices(of: full) {
                let targetIndex = target.indices.map { target[$0] == 1 ? 0 : fullIndex[lead + $0] }
                sums[Naive.flatIndex(targetIndex, in: target)] += Double(Naive.value(gradient, at: fullIndex))
            }
            expected = Tensor(shape: target, scalars: sums.map(Float.init))
            expectClose(gradient.sumReduced(toShape: target), expected, absolute: 1e-4, relative: Tolerance.accumulated, "\(full) -> \(target)")
        }
    }

    @Test func sumReducedOfExpandedOnesCountsCopies() {
        let reduced = Tensor.ones([3, 1]).expanded(to: [2, 3, 4]).sumReduced(toShape: [3, 1])
        #expect(reduced == Tensor(shape: [3, 1], repeating: 8))
    }

    @Test func mismatchedShapesStopWithAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([3, 2])
        }
    }
}
