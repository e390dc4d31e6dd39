import Testing
import FERTensor
@testable import FERNN

@Suite struct InitializationTests {
    @Test func fansFollowPyTorch() {
        #expect(Initialization.fans(of: [64, 3, 7, 7]) == (147, 3136))
        #expect(Initialization.fans(of: [10, 20]) == (20, 10))
    }

    @Test func kaimingUniformStaysWithinItsBound() {
        var generator = RandomGenerator(seed: 1)
        let weight = Initialization.kaimingUniform([64, 32, 3, 3], negativeSlope: Float(5).squareRoot(), using: &generator)
        let bound = 1 / Float(32 * 9).squareRoot()  // gain sqrt(2/6) * sqrt(3/fan) = 1/sqrt(fan)
        #expect(weight.scalars.allSatisfy { Swift.abs($0) <= bound })
        #expect(weight.abs().max().item > 0.9 * bound)
    }

    @Test func kaimingNormalHasTheRequestedDeviation() {
        var generator = RandomGenerator(seed: 2)
        let weight = Initialization.kaimingNormal([256, 64, 3, 3], mode: .fanOut, using: &generator)
        let expected = (2 / Float(256 * 9)).squareRoot()
        #expect(Swift.abs(weight.variance().item.squareRoot() / expected - 1) < 0.02)
    }

    @Test(arguments: [[6, 4], [4, 6], [8, 2, 3, 3]]) func orthogonalRowsOrColumnsAreOrthonormal(_ shape: [Int]) throws {
        var generator = RandomGenerator(seed: 3)
        let weight = try Initialization.orthogonal(shape, gain: 2, using: &generator).reshaped([shape[0], -1])
        let rows = shape[0], columns = weight.shape[1]
        // Q Qᵀ = gain² I when rows <= columns, Qᵀ Q = gain² I otherwise.
        let product = rows <= columns ? Tensor.matmul(weight, weight, transposeB: true) : Tensor.matmul(weight, weight, transposeA: true)
        let size = Swift.min(rows, columns)
        for i in 0..<size {
            for j in 0..<size {
                #expect(Swift.abs(product[i, j] - (i == j ? 4 : 0)) < 1e-4)
            }
        }
    }
}

@Suite struct BasicLayerTests {
    @Test func linearMatchesPyTorch() throws {
        var generator = RandomGenerator(seed: 0)
        let layer = Linear(inputFeatures: 5, outputFeatures: 3, generator: &generator)
        try layer.load(stateDict: Golden.stateDict(of: "linear"))
        let input = Variable(Golden.tensor("linear.input"), requiresGradient: true)
        let output = layer(input)
        expectMatchesGolden(output.value, Golden.tensor("linear.output"), "linear output")
        (output * Variable(Golden.tensor("linear.probe"))).sum().backward()
        expectMatchesGolden(input.gradient!, Golden.tensor("linear.grad.input"), "linear input gradient")
        expectMatchesGolden(layer.weight.gradient!, Golden.tensor("linear.grad.weight"), "linear weight gradient")
        expectMatchesGolden(layer.bias!.gradient!, Golden.tensor("linear.grad.bias"), "linear bias gradient")
    }

    @Test func linearAppliesToTheLastAxisOfAnyRank() {
        var generator = RandomGenerator(seed: 1)
        let layer = Linear(inputFeatures: 4, outputFeatures: 2, generator: &generator)
        let input = randomTensor([2, 3, 4], seed: 2)
        let batched = layer(Variable(input)).value
        let flat = layer(Variable(input.reshaped([6, 4]))).value
        #expect(batched.shape == [2, 3, 2])
        #expect(batched.scalars == flat.scalars)
        #expect(layer.parameterCount == 4 * 2 + 2)
    }

    @Test func flattenKeepsTheBatchAxis() {
        #expect(Flatten()(Variable(Tensor.zeros([2, 3, 4, 5]))).shape == [2, 60])
        #expect(Flatten(startAxis: 0, endAxis: 1)(Variable(Tensor.zeros([2, 3, 4]))).shape == [6, 4])
        #expect(Identity()(Variable(Tensor([1, 2]))).value.scalars == [1, 2])
    }
}
