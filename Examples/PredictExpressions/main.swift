// Predict expressions with a trained model (a network or a fusion model):
// one call loads it, another turns images into class probabilities.
//
//   swift run -c release PredictExpressions runs/demo/best.safetensors face1.jpg face2.png
import FERData
import FERFusion
import FERTensor
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    print("usage: PredictExpressions CHECKPOINT IMAGE...")
    exit(2)
}

do {
    let model = try TrainedModel.load(contentsOf: URL(fileURLWithPath: arguments[1]))
    let input = model.preprocessing
    print("\(model.summary): \(input.channels) channel(s), \(input.size)x\(input.size), classes \(model.classNames)")

    // Decode, convert to the model's channels, resize to its input size (values in [0, 1]).
    var generator = RandomGenerator(seed: 0)
    let images = try arguments.dropFirst(2).map { path in
        let image = try Image(contentsOf: URL(fileURLWithPath: path)).converted(toChannels: input.channels)
        return Resize(height: input.size, width: input.size).apply(image.tensor(), using: &generator)
    }

    // Normalisation happens inside; flip test-time augmentation averages each image with its mirror image.
    let probabilities = model.predictProbabilities(Tensor.stacked(images), flipTTA: true)
    for (row, path) in arguments.dropFirst(2).enumerated() {
        let values = probabilities.sliced(axis: 0, range: row..<(row + 1)).scalars
        let ranked = zip(model.classNames, values).sorted { $0.1 > $1.1 }
        print(path + ": " + ranked.prefix(3).map { "\($0.0) " + String(format: "%.1f%%", 100 * $0.1) }.joined(separator: ", "))
    }
} catch {
    print("error: \(error)")
    exit(1)
}
