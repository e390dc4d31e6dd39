// A tour of FERTensor: random images through a ResNet stem, saved as safetensors.
//
//   swift run -c release TensorTour [output.safetensors]
import FERTensor
import Foundation

let outputPath = CommandLine.arguments.dropFirst().first ?? "stem.safetensors"
var generator = RandomGenerator(seed: 0)

// A batch of 8 RGB images, 100x100, and a 7x7 stride-2 stem convolution as in ResNet.
let images = Tensor.randomNormal([8, 3, 100, 100], using: &generator)
let weight = Tensor.randomNormal([64, 3, 7, 7], standardDeviation: 0.05, using: &generator)
let features = Tensor.conv2d(images, weight: weight, options: ConvolutionOptions(stride: 2, padding: 3))

// Batch statistics, normalisation with ReLU, then the 3x3 stride-2 max pooling.
let (normalized, statistics, _) = Tensor.batchNormTraining(features, weight: nil, bias: nil)
let activated = normalized.relu()
let pooled = Tensor.maxPool2d(activated, options: PoolingOptions(kernelSize: 3, stride: 2, padding: 1)).output
print("stem output:", pooled.shape, "channel 0 mean before norm:", statistics.mean[0])

// Save, read back, and check the round trip.
let archive = SafetensorsArchive(tensors: ["stem": pooled], metadata: ["example": "TensorTour"])
do {
    try archive.write(to: URL(fileURLWithPath: outputPath))
    let loaded = try SafetensorsArchive.read(contentsOf: URL(fileURLWithPath: outputPath))
    print("wrote \(outputPath); round trip exact:", loaded["stem"] == pooled)
} catch {
    print("error: \(error)")
    exit(1)
}
