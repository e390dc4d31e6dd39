import Testing
import FERTensor
@testable import FERNN

@Suite struct AutogradEngineTests {
    @Test func gradientsOfADiamondGraphAddUp() {
        // y = x*x + x  ->  dy/dx = 2x + 1, with x used by two paths.
        let x = Variable(Tensor([1, 2, 3]), requiresGradient: true)
        (x * x + x).sum().backward()
        #expect(x.gradient?.scalars == [3, 5, 7])
    }

    @Test func gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        let parameter = Parameter(Tensor([2]))
        for _ in 0..<3 { (parameter.variable * 3).sum().backward() }
        #expect(parameter.gradient?.scalars == [9])
        parameter.zeroGradient()
        #expect(parameter.gradient == nil)
    }

    @Test func noGradRecordsNothing() {
        let parameter = Parameter(Tensor([1, 2]))
        let output = noGrad { parameter.variable * 2 }
        #expect(!output.requiresGradient)
        #expect(GradientMode.isEnabled)
    }

    @Test func detachedVariablesStopGradients() {
        let x = Variable(Tensor([1, 2]), requiresGradient: true)
        let y = x * 2
        (y.detached() * y).sum().backward()
        // d/dx of (const 2x) * 2x = 2x * 2 = 4x.
        #expect(x.gradient?.scalars == [4, 8])
    }

    @Test func frozenParametersGetNoGradient() {
        let frozen = Parameter(Tensor([1]), requiresGradient: false)
        let trained = Parameter(Tensor([1]))
        (frozen.variable * trained.variable).sum().backward()
        #expect(frozen.gradient == nil)
        #expect(trained.gradient?.scalars == [1])
    }

    @Test func backwardReleasesTheGraphsCapturedTensors() {
        weak var released: GradientNode?
        let parameter = Parameter(Tensor.ones([4]))
        do {
            let hidden = parameter.variable * 2
            released = hidden.node
            let loss = (hidden * hidden).sum()
            loss.backward()
            #expect(hidden.node?.backward == nil)
        }
        #expect(released == nil, "intermediate nodes outlive the variables that referenced them")
        #expect(parameter.gradient?.scalars == [8, 8, 8, 8])
    }

    @Test func broadcastOperandsReceiveSummedGradients() {
        let matrix = Variable(Tensor.ones([2, 3]), requiresGradient: true)
        let row = Variable(Tensor([1, 2, 3]), requiresGradient: true)
        (matrix * row).sum().backward()
        #expect(row.gradient?.scalars == [2, 2, 2])
        #expect(matrix.gradient?.shape == [2, 3])
    }
}

@Suite struct CoreOperationGradientTests {
    @Test(arguments: [([2, 3], [2, 3]), ([2, 3], [3]), ([4, 1, 3], [2, 1]), ([], [5])])
    func arithmeticGradientsMatchFiniteDifferences(_ shapes: ([Int], [Int])) {
        let a = randomTensor(shapes.0, seed: 1), b = randomTensor(shapes.1, seed: 2) * 0.3 + 2
        expectGradientsMatchFiniteDifferences([a, b]) { $0[0] + $0[1] }
        expectGradientsMatchFiniteDifferences([a, b]) { $0[0] - $0[1] }
        expectGradientsMatchFiniteDifferences([a, b]) { $0[0] * $0[1] }
        expectGradientsMatchFiniteDifferences([a, b]) { $0[0] / $0[1] }
        expectGradientsMatchFiniteDifferences([a]) { 3 - $0[0] * 2 + 1 }
    }

    @Test(arguments: [false, true]) func matmulGradientsMatchFiniteDifferences(_ transposed: Bool) {
        let a = randomTensor(transposed ? [4, 3] : [3, 4], seed: 3), b = randomTensor(transposed ? [5, 4] : [4, 5], seed: 4)
        expectGradientsMatchFiniteDifferences([a, b]) {
            Variable.matmul($0[0], $0[1], transposeA: transposed, transposeB: transposed)
        }
        expectGradientsMatchFiniteDifferences([randomTensor([2, 3, 4], seed: 5), randomTensor([4, 2], seed: 6)]) {
            Variable.matmul($0[0], $0[1])
        }
    }

    @Test func reluSumMeanAndReshapeGradientsMatchFiniteDifferences() {
        // Keep inputs away from the kink at 0, where finite differences are meaningless.
        let random = randomTensor([3, 4], seed: 7)
        let x = random + (random.isGreater(than: 0) * 2 - 1) * 0.1
        expectGradientsMatchFiniteDifferences([x]) { $0[0].relu() }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].sum(alongAxes: [1]) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].mean(alongAxes: [0], keepingDimensions: true) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].mean() }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].reshaped([2, -1]) * $0[0].reshaped([2, 6]) }
    }
}
