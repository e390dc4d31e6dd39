import Testing
@testable import FERTensor

@Suite struct ArithmeticTests {
    typealias Reference = (Float, Float) -> Float

    /// Checks `operation` against the naive broadcast of `reference` for every shape pair.
    func checkAgainstNaive(_ name: String, _ operation: (Tensor, Tensor) -> Tensor, _ reference: Reference) {
        for (index, (aShape, bShape)) in (BroadcastingTests.shapePairs + [([300, 400], [400]), ([300, 400], [300, 1]), ([1 << 17], [1 << 17]), ([1 << 17], [])]).enumerated() {
            let a = randomTensor(aShape, seed: UInt64(2 * index))
            var b = randomTensor(bShape, seed: UInt64(2 * index + 1))
            if name == "/" { b = b.abs() + 0.5 }
            let shape = Naive.broadcastShape(aShape, bShape)
            let expected = Naive.tensor(shape) { reference(Naive.broadcastValue(a, at: $0), Naive.broadcastValue(b, at: $0)) }
            #expect(operation(a, b) == expected, "\(aShape) \(name) \(bShape)")
        }
    }

    @Test func additionMatchesNaiveBroadcast() { checkAgainstNaive("+", +, +) }
    @Test func subtractionMatchesNaiveBroadcast() { checkAgainstNaive("-", -, -) }
    @Test func multiplicationMatchesNaiveBroadcast() { checkAgainstNaive("*", *, *) }
    @Test func divisionMatchesNaiveBroadcast() { checkAgainstNaive("/", /, /) }

    @Test func handComputedBroadcastSum() {
        let row = Tensor([1, 2, 3])
        let column = Tensor(shape: [2, 1], scalars: [10, 20])
        #expect(row + column == Tensor(shape: [2, 3], scalars: [11, 12, 13, 21, 22, 23]))
        #expect(column - row == Tensor(shape: [2, 3], scalars: [9, 8, 7, 19, 18, 17]))
    }

    @Test func scalarOperatorsMatchRankZeroTensors() {
        let x = randomTensor([3, 5], seed: 7)
        #expect(x + 2 == x + Tensor(2))
        #expect(x - 2 == x - Tensor(2))
        #expect(x * 2 == x * Tensor(2))
        #expect(x / 2 == x / Tensor(2))
        #expect(2 + x == Tensor(2) + x)
        #expect(2 - x == Tensor(2) - x)
        #expect(2 * x == Tensor(2) * x)
        #expect(2 / x == Tensor(2) / x)
        #expect((3 - Tensor([1, 5])).scalars == [2, -2])
        #expect((Tensor([1, 5]) / 2).scalars == [0.5, 2.5])
    }

    @Test func prefixMinusNegatesEveryElement() {
        let x = randomTensor([4, 3], seed: 8)
        #expect(-x == Naive.tensor(x.shape) { -Naive.value(x, at: $0) })
        #expect((-Tensor(2)).item == -2)
    }

    @Test func compoundAssignmentUpdatesUniqueStorageInPlace() {
        var x = randomTensor([64, 65], seed: 9)
        let before = x.scalars
        let bias = randomTensor([65], seed: 10)
        let address = x.withUnsafeBufferPointer { $0.baseAddress }
        x += bias
        x *= 2
        x -= 1
        x /= Tensor(4)
        #expect(x.withUnsafeBufferPointer { $0.baseAddress } == address)
        let expected = Naive.tensor([64, 65]) { ((before[$0[0] * 65 + $0[1]] + Naive.value(bias, at: [$0[1]])) * 2 - 1) / 4 }
        #expect(x == expected)
    }

    @Test func compoundAssignmentLeavesSharedCopiesAlone() {
        var x = Tensor([1, 2, 3])
        let y = x
        x += 1
        #expect(x.scalars == [2, 3, 4])
        #expect(y.scalars == [1, 2, 3])
        var z = x
        z += z
        #expect(z.scalars == [4, 6, 8])
        #expect(x.scalars == [2, 3, 4])
    }

    @Test func compoundAssignmentCanGrowTheLeftOperand() {
        var x = Tensor([1, 2, 3])
        x += Tensor(shape: [2, 1], scalars: [10, 20])
        #expect(x == Tensor(shape: [2, 3], scalars: [11, 12, 13, 21, 22, 23]))
    }

    @Test func addingProductMatchesNaiveBroadcastOfThree() {
        let shapes: [([Int], [Int], [Int])] = [
            ([2, 3], [2, 3], [2, 3]), ([3], [2, 1], [1, 3]), ([], [4], [2, 1, 4]), ([2, 1, 4], [], [3, 1]),
            ([1 << 17], [1 << 17], []), ([5, 1], [1], [5, 7]),
        ]
        for (index, (aShape, bShape, cShape)) in shapes.enumerated() {
            let a = randomTensor(aShape, seed: UInt64(3 * index))
            let b = randomTensor(bShape, seed: UInt64(3 * index + 1))
            let c = randomTensor(cShape, seed: UInt64(3 * index + 2))
            let shape = Naive.broadcastShape(Naive.broadcastShape(aShape, bShape), cShape)
            let expected = Naive.tensor(shape) {
                Naive.broadcastValue(a, at: $0) + Naive.broadcastValue(b, at: $0) * Naive.broadcastValue(c, at: $0)
            }
            #expect(a.addingProduct(b, c) == expected, "\(aShape) + \(bShape) * \(cShape)")
        }
        #expect(Tensor([1, 2]).addingProduct(Tensor([3, 4]), 2).scalars == [7, 10])
    }
}
