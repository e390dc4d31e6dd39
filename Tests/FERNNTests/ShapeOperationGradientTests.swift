import Testing
import FERTensor
@testable import FERNN

@Suite struct ShapeOperationGradientTests {
    // Every op here only moves, copies or adds elements, so it is linear and
    // finite differences are exact up to rounding.
    let x = randomTensor([2, 3, 4], seed: 1)

    @Test func viewGradientsMatchFiniteDifferences() {
        expectGradientsMatchFiniteDifferences([x]) { $0[0].reshaped([4, -1]) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].flattened(startAxis: 1) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].flattened(startAxis: -2, endAxis: -1) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].unsqueezed(axis: -1).unsqueezed(axis: 0) }
        expectGradientsMatchFiniteDifferences([x.reshaped([2, 1, 12, 1])]) { $0[0].squeezed(axis: -1).squeezed(axis: 1) }
        expectGradientsMatchFiniteDifferences([x.reshaped([2, 1, 12, 1])]) { $0[0].squeezed() }
        expectGradientsMatchFiniteDifferences([randomTensor([3, 1], seed: 2)]) { $0[0].expanded(to: [2, 3, 4]) }
    }

    @Test func permutationGradientsMatchFiniteDifferences() {
        expectGradientsMatchFiniteDifferences([x]) { $0[0].permuted([2, 0, 1]) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].permuted([-1, -3, -2]) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].transposed(0, -1) }
        expectGradientsMatchFiniteDifferences([randomTensor([3, 5], seed: 3)]) { $0[0].transposed() }
    }

    @Test func selectionGradientsMatchFiniteDifferences() {
        expectGradientsMatchFiniteDifferences([x]) { $0[0].sliced(axis: 1, range: 1..<3) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].sliced(axis: -1, range: 0..<4, step: 2) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].sliced(axis: 0, range: 1..<2) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].indexSelected(axis: -2, indices: [2, 0, 2, 2]) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].indexSelected(axis: 2, indices: [3, 1]) }
        expectGradientsMatchFiniteDifferences([x]) {
            $0[0].gathered(alongAxis: 2, indices: [0, 3, 3, 1, 2, 0, 1, 1, 2, 0, 3, 3], indexShape: [2, 3, 2])
        }
        expectGradientsMatchFiniteDifferences([x]) {
            $0[0].gathered(alongAxis: -3, indices: Tensor(shape: [1, 2, 3], scalars: [1, 0, 1, 1, 1, 0]))
        }
    }

    @Test func paddingGradientsMatchFiniteDifferences() {
        expectGradientsMatchFiniteDifferences([x]) { $0[0].padded([(1, 2)], value: 3) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].padded([(0, 1), (0, 0), (2, 1)]) }
    }

    @Test func joinAndSplitGradientsMatchFiniteDifferences() {
        let y = randomTensor([2, 1, 4], seed: 4), z = randomTensor([2, 3, 4], seed: 5)
        expectGradientsMatchFiniteDifferences([x, y]) { Variable.concatenated([$0[0], $0[1], $0[0]], axis: 1) }
        expectGradientsMatchFiniteDifferences([x, z]) { Variable.stacked([$0[0], $0[1]], axis: -1) }
        expectGradientsMatchFiniteDifferences([x, z]) { Variable.stacked([$0[1], $0[0]]) }
        // Pieces used unevenly, so each gets a different gradient.
        expectGradientsMatchFiniteDifferences([x]) { variables in
            let pieces = variables[0].split(sizes: [1, 0, 3], axis: -1)
            return Variable.concatenated([pieces[2] * 2, pieces[0], pieces[1]], axis: 2)
        }
        expectGradientsMatchFiniteDifferences([x]) { variables in
            let chunks = variables[0].chunked(2, axis: 1)
            return Variable.concatenated([chunks[1], chunks[0] * chunks[0]], axis: 1)
        }
    }

    @Test func whereRoutesTheGradientToTheChosenBranch() {
        let condition = Tensor(shape: [3, 1], scalars: [1, 0, 1])
        let a = randomTensor([3, 4], seed: 6), b = randomTensor([4], seed: 7)
        expectGradientsMatchFiniteDifferences([a, b]) { Variable.where(condition, $0[0], $0[1]) }
        expectGradientsMatchFiniteDifferences([a]) { Variable.where(condition, $0[0], -5) }
    }

    @Test func valuesEqualTheTensorOperations() {
        let v = Variable(x, requiresGradient: true), w = Variable(x * 2, requiresGradient: true)
        #expect(v.permuted([1, 2, 0]).value == x.permuted([1, 2, 0]))
        #expect(v.transposed(0, 2).value == x.transposed(0, 2))
        #expect(v.sliced(axis: 2, range: 1..<4, step: 2).value == x.sliced(axis: 2, range: 1..<4, step: 2))
        #expect(Variable.concatenated([v, w], axis: 0).value == Tensor.concatenated([x, x * 2], axis: 0))
        #expect(Variable.stacked([v, w], axis: 1).value == Tensor.stacked([x, x * 2], axis: 1))
        #expect(v.split(sizes: [1, 2], axis: 1).map(\.value) == x.split(sizes: [1, 2], axis: 1))
        #expect(v.chunked(3, axis: -1).map(\.value) == x.chunked(3, axis: -1))
        #expect(v.padded([(1, 0), (0, 2)], value: -1).value == x.padded([(1, 0), (0, 2)], value: -1))
        #expect(v.indexSelected(axis: 0, indices: [1, 1, 0]).value == x.indexSelected(axis: 0, indices: [1, 1, 0]))
        #expect(v.gathered(alongAxis: 1, indices: [2, 0], indexShape: [1, 1, 2]).value
            == x.gathered(alongAxis: 1, indices: [2, 0], indexShape: [1, 1, 2]))
        #expect(v.flattened().value == x.flattened())
        #expect(v.expanded(to: [2, 2, 3, 4]).value == x.expanded(to: [2, 2, 3, 4]))
        let condition = x.isGreater(than: 0)
        #expect(Variable.where(condition, v, w).value == Tensor.where(condition, x, x * 2))
    }

    @Test func constantOperandsGetNoGradient() throws {
        let v = Variable(x, requiresGradient: true), constant = Variable(x)
        #expect(try computedGradients(of: Variable.concatenated([constant, v], axis: 0)) == [false, true])
        #expect(try computedGradients(of: Variable.where(x.isGreater(than: 0), constant, v)) == [false, true])
    }
}
