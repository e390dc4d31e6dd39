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

/// Resident memory of this process, in bytes.
private func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
          let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
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

    @Test func repeatedTrainingStepsDoNotGrowMemory() {
        var generator = RandomGenerator(seed: 7)
        let model = smallCNN(generator: &generator)
        let optimizer = SGD(model.parameters, learningRate: 0.01, momentum: 0.9)
        // Each step creates about 5 MB of activations and gradients; a graph
        // that outlived its step would add that much every step.
        let (images, labels) = barImages(count: 256, generator: &generator)
        func step() {
            optimizer.zeroGradients()
            crossEntropy(logits: model(Variable(images)), labels: labels).backward()
            optimizer.step()
        }
        for _ in 0..<5 { step() }
        let before = residentBytes()
        for _ in 0..<40 { step() }
        let growth = residentBytes() - before
        #expect(growth < 32 << 20, "resident memory grew by \(growth >> 20) MB over 40 steps")
    }
}
