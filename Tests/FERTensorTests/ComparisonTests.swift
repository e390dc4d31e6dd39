import Testing
@testable import FERTensor

@Suite struct ComparisonTests {
    /// Checks a comparison against the naive broadcast of `reference` on
    /// integer-valued inputs, so equal elements actually occur.
    func checkComparison(_ name: String, _ operation: (Tensor, Tensor) -> Tensor, _ reference: (Float, Float) -> Bool) {
        for (index, (aShape, bShape)) in (BroadcastingTests.shapePairs + [([300, 400], [400])]).enumerated() {
            let a = randomIntegerTensor(aShape, seed: UInt64(2 * index))
            let b = randomIntegerTensor(bShape, seed: UInt64(2 * index + 1))
            let expected = Naive.tensor(Naive.broadcastShape(aShape, bShape)) {
                reference(Naive.broadcastValue(a, at: $0), Naive.broadcastValue(b, at: $0)) ? 1 : 0
            }
            #expect(operation(a, b) == expected, "\(aShape) \(name) \(bShape)")
        }
    }

    @Test func isEqualMatchesNaiveBroadcast() { checkComparison("==", { $0.isEqual(to: $1) }, ==) }
    @Test func isGreaterMatchesNaiveBroadcast() { checkComparison(">", { $0.isGreater(than: $1) }, >) }
    @Test func isGreaterOrEqualMatchesNaiveBroadcast() { checkComparison(">=", { $0.isGreaterOrEqual(to: $1) }, >=) }
    @Test func isLessMatchesNaiveBroadcast() { checkComparison("<", { $0.isLess(than: $1) }, <) }
    @Test func isLessOrEqualMatchesNaiveBroadcast() { checkComparison("<=", { $0.isLessOrEqual(to: $1) }, <=) }

    @Test func scalarComparisonsGiveZeroOrOne() {
        let x = Tensor([1, 2, 3, .nan])
        #expect(x.isEqual(to: 2).scalars == [0, 1, 0, 0])
        #expect(x.isGreater(than: 2).scalars == [0, 0, 1, 0])
        #expect(x.isGreaterOrEqual(to: 2).scalars == [0, 1, 1, 0])
        #expect(x.isLess(than: 2).scalars == [1, 0, 0, 0])
        #expect(x.isLessOrEqual(to: 2).scalars == [1, 1, 0, 0])
    }

    @Test func whereMatchesNaiveBroadcastOfThree() {
        let shapes: [([Int], [Int], [Int])] = [
            ([2, 3], [2, 3], [2, 3]), ([3], [2, 1], [1, 3]), ([2, 1, 4], [], [3, 1]), ([], [4], [2, 1, 4]),
            ([5, 1], [1], [5, 7]), ([1 << 17], [1 << 17], []), ([300, 1], [1, 400], [300, 400]),
        ]
        for (index, (conditionShape, aShape, bShape)) in shapes.enumerated() {
            let condition = randomIntegerTensor(conditionShape, seed: UInt64(3 * index), range: 0...2)
            let a = randomTensor(aShape, seed: UInt64(3 * index + 1))
            let b = randomTensor(bShape, seed: UInt64(3 * index + 2))
            let shape = Naive.broadcastShape(Naive.broadcastShape(conditionShape, aShape), bShape)
            let expected = Naive.tensor(shape) {
                Naive.broadcastValue(condition, at: $0) != 0 ? Naive.broadcastValue(a, at: $0) : Naive.broadcastValue(b, at: $0)
            }
            #expect(Tensor.where(condition, a, b) == expected, "\(conditionShape) ? \(aShape) : \(bShape)")
        }
    }

    @Test func whereTreatsNonzeroAsTrue() {
        let condition = Tensor([0, 1, -2, 0.5, .nan])
        #expect(Tensor.where(condition, Tensor(shape: [5], repeating: 7), -1).scalars == [-1, 7, 7, 7, 7])
        #expect(Tensor.where(condition, 3, Tensor([10, 20, 30, 40, 50])).scalars == [10, 3, 3, 3, 3])
    }
}
