import Foundation
import Testing
import FERTensor
@testable import FERNN

/// A toy image task: which way a bright bar runs (horizontal, vertical, or
/// either diagonal) in a noisy 12x12 image, the bar at a random position.
private func barImages(count: Int, generator: inout RandomGenerator) -> (Tensor, [Int]) {
    let size = 12
    var pixels = Tensor.randomNormal([count, 1, size, size], standardDeviation: 0.3, using: &generator)
    var labels: [Int] = []
    pixels.withUnsafeMutableBufferPointer { image in
        for sample in 0..<count {
            let label = Int(generator.next() % 4)
            let row = 2 + Int(generator.next() % 8), column = 2 + Int(generator.next() % 8)
            for step in -2...2 {
                let (y, x) = [(row, column + step), (row + step, column), (row + step, column + step), (row + step, column - step)][label]
                image[sample * size * size + y * size + x] += 1
            }
            labels.append(label)
        }
    }
    return (pixels, labels)
}

/// conv - BN - ReLU - pool - conv - ReLU - global pool - linear.
private func smallCNN(generator: inout RandomGenerator) -> Sequential {
    Sequential(
        Conv2d(inputChannels: 1, outputChannels: 8, kernelSize: 3, padding: 1, generator: &generator),
        BatchNorm2d(featureCount: 8), ReLU(), MaxPool2d(kernelSize: 2),
        Conv2d(inputChannels: 8, outputChannels: 16, kernelSize: 3, padding: 1, generator: &generator), ReLU(),
        AdaptiveAvgPool2d(outputSize: 1), Flatten(),
        Linear(inputFeatures: 16, outputFeatures: 4, generator: &generator))
}

@Suite(.serialized) struct TrainingTests {
    @Test func smallCNNLearnsBarOrientation() {
        var generator = RandomGenerator(seed: 42)
        let model = smallCNN(generator: &generator)
        let optimizer = SGD(model.parameters, learningRate: 0.05, momentum: 0.9)
        for _ in 0..<200 {
            let (images, labels) = barImages(count: 32, generator: &generator)
            optimizer.zeroGradients()
            crossEntropy(logits: model(Variable(images)), labels: labels).backward()
            optimizer.step()
        }
        model.eval()
        let (images, labels) = barImages(count: 256, generator: &generator)
        let predictions = noGrad { model(Variable(images)) }.value.argmax(alongAxis: 1).scalars.map { Int($0) }
        let accuracy = Float(zip(predictions, labels).filter { $0 == $1 }.count) / Float(labels.count)
        #expect(accuracy > 0.9, "accuracy \(accuracy) after 200 steps; chance is 0.25")
    }

    /// Nothing a training step records outlives it: every operation node of
    /// every step's graph (and with it every activation and gradient those
    /// nodes held) is freed once the step ends, so repeated steps cannot grow
    /// memory. Process-wide resident memory is not a usable measure here,
    /// because other suites allocate in the same process at the same time.
    @Test func repeatedTrainingStepsLeaveNoGraphBehind() {
        final class WeakNode { weak var node: GradientNode?; init(_ node: GradientNode) { self.node = node } }
        var generator = RandomGenerator(seed: 7)
        let model = smallCNN(generator: &generator)
        let optimizer = SGD(model.parameters, learningRate: 0.01, momentum: 0.9)
        let (images, labels) = barImages(count: 64, generator: &generator)
        var recorded: [WeakNode] = []
        for _ in 0..<10 {
            optimizer.zeroGradients()
            let loss = crossEntropy(logits: model(Variable(images)), labels: labels)
            var stack = [loss.node!]
            var seen = Set<ObjectIdentifier>()
            while let node = stack.popLast() {
                guard seen.insert(ObjectIdentifier(node)).inserted, !node.isLeaf else { continue }
                recorded.append(WeakNode(node))
                stack += node.inputs.compactMap { $0 }
            }
            loss.backward()
            optimizer.step()
        }
        #expect(recorded.count > 10 * 10, "each step records at least one node per layer")
        let alive = recorded.filter { $0.node != nil }.count
        #expect(alive == 0, "\(alive) of \(recorded.count) graph nodes outlived their training step")
        #expect(model.parameters.allSatisfy { $0.gradient != nil }, "the last step's gradients stay until zeroed")
    }
}
