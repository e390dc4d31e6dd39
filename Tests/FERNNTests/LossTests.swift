import Testing
import FERTensor
@testable import FERNN

@Suite struct LossGoldenTests {
    /// Runs a loss on the fixture's logits and compares value and gradient with PyTorch.
    func check(_ name: String, _ loss: (Variable) -> Variable) {
        let logits = Variable(Golden.tensor("\(name).logits"), requiresGradient: true)
        let output = loss(logits)
        expectMatchesGolden(output.value.reshaped([1]), Golden.tensor("\(name).output"), "\(name) value")
        output.backward()
        expectMatchesGolden(logits.gradient ?? Tensor.zeros([0]), Golden.tensor("\(name).grad.logits"), "\(name) gradient")
    }

    @Test func crossEntropyMatchesPyTorch() {
        check("cross_entropy") { crossEntropy(logits: $0, labels: Golden.labels("cross_entropy.target")) }
        check("cross_entropy_sum") {
            crossEntropy(logits: $0, labels: Golden.labels("cross_entropy_sum.target"), reduction: .sum)
        }
    }

    @Test func weightedSmoothedCrossEntropyMatchesPyTorch() {
        let name = "cross_entropy_weighted_smoothed"
        check(name) {
            crossEntropy(logits: $0, labels: Golden.labels("\(name).target"), weights: Golden.tensor("\(name).weight"),
                         labelSmoothing: 0.1)
        }
    }

    @Test func negativeLogLikelihoodMatchesPyTorch() {
        let logProbabilities = Variable(Golden.tensor("nll.logits").logSoftmax(alongAxis: 1))
        let output = negativeLogLikelihood(logProbabilities: logProbabilities, labels: Golden.labels("nll.target"))
        expectMatchesGolden(output.value.reshaped([1]), Golden.tensor("nll.output"), "nll value")
    }

    @Test func meanSquaredErrorMatchesPyTorch() {
        check("mse") { meanSquaredError($0, target: Golden.tensor("mse.target")) }
    }

    @Test func binaryCrossEntropyWithLogitsMatchesPyTorch() {
        check("bce_with_logits") { binaryCrossEntropyWithLogits(logits: $0, targets: Golden.tensor("bce_with_logits.target")) }
    }
}

@Suite struct LossGradientTests {
    let logits = randomTensor([4, 5], seed: 1)
    let labels = [0, 4, 2, 2]

    @Test(arguments: LossReduction.allCases) func crossEntropyGradientsMatchFiniteDifferences(_ reduction: LossReduction) {
        let weights = Tensor([0.5, 1, 2, 1.5, 0.7])
        expectGradientsMatchFiniteDifferences([logits]) {
            crossEntropy(logits: $0[0], labels: labels, weights: weights, labelSmoothing: 0.2, reduction: reduction)
        }
    }

    @Test(arguments: LossReduction.allCases) func elementwiseLossGradientsMatchFiniteDifferences(_ reduction: LossReduction) {
        let target = randomTensor([4, 5], seed: 2)
        let binary = randomTensor([4, 5], seed: 3).isGreater(than: 0)
        expectGradientsMatchFiniteDifferences([logits]) { meanSquaredError($0[0], target: target, reduction: reduction) }
        expectGradientsMatchFiniteDifferences([logits]) {
            binaryCrossEntropyWithLogits(logits: $0[0], targets: binary, weight: target.abs(),
                                         positiveWeight: Tensor([1, 2, 3, 0.5, 1]).reshaped([1, 5]).expanded(to: [4, 5]),
                                         reduction: reduction)
        }
        expectGradientsMatchFiniteDifferences([logits]) {
            negativeLogLikelihood(logProbabilities: $0[0], labels: labels, weights: target.abs().sum(alongAxes: [0]), reduction: reduction)
        }
    }

    @Test func crossEntropyOfAConfidentCorrectPredictionIsNearZero() {
        var confident = Tensor.zeros([1, 3])
        confident[0, 1] = 30
        #expect(crossEntropy(logits: Variable(confident), labels: [1]).value.item < 1e-6)
    }
}
