import FERNN
import FERTensor

/// VGG11/VGG13 with or without BatchNorm, as torchvision builds them
/// (`features.N`, with ReLU and max-pool layers taking index slots;
/// `classifier.0/3/6`), so torchvision state dicts load key for key.
public final class VGG: Module, Backbone {
    /// The classifier VGG ends with.
    public enum Head: String, Codable, Sendable {
        /// torchvision's: 7x7 adaptive pooling, Linear(25088, 4096), ReLU,
        /// Dropout, Linear(4096, 4096), ReLU, Dropout, Linear(4096, classes);
        /// features are the 4096 activations after the second ReLU.
        case torchvision
        /// Global average pooling and one Linear(512, classes) (`classifier.0`):
        /// 512 features and about 9.2M parameters instead of 133M.
        case globalPool = "global-pool"
    }

    let features: Sequential
    /// The classifier layers.
    public private(set) var classifier: Sequential
    /// Which classifier this VGG has.
    public let head: Head
    /// Indices in `features` of the max-pool layers that end the stages.
    private let stageEnds: [Int]

    /// A VGG of the given configuration.
    public init(
        configuration: VGGConfiguration, batchNorm: Bool, head: Head = .torchvision, classCount: Int = 1000,
        inputChannels: Int = 3, generator: inout RandomGenerator
    ) {
        var layers: [any UnaryLayer] = []
        var channels = inputChannels
        var stageEnds: [Int] = []
        for layer in configuration.layers {
            switch layer {
            case .convolution(let width):
                layers.append(kaimingConvolution(inputChannels: channels, outputChannels: width, kernelSize: 3, padding: 1,
                                                 bias: true, generator: &generator))
                if batchNorm { layers.append(BatchNorm2d(featureCount: width)) }
                layers.append(ReLU())
                channels = width
            case .maxPool:
                stageEnds.append(layers.count)
                layers.append(MaxPool2d(kernelSize: 2, stride: 2))
            }
        }
        features = Sequential(layers)
        self.head = head
        self.stageEnds = stageEnds
        classifier = VGG.classifier(head: head, channels: channels, classCount: classCount, generator: &generator)
        super.init()
    }

    /// torchvision's Linear initialisation for VGG: `N(0, 0.01)` weights, zero bias.
    private static func linear(_ input: Int, _ output: Int, generator: inout RandomGenerator) -> Linear {
        Linear(weight: Tensor.randomNormal([output, input], standardDeviation: 0.01, using: &generator), bias: Tensor.zeros([output]))
    }

    private static func classifier(head: Head, channels: Int, classCount: Int, generator: inout RandomGenerator) -> Sequential {
        switch head {
        case .torchvision:
            Sequential(
                linear(channels * 49, 4096, generator: &generator), ReLU(), Dropout(probability: 0.5, generator: &generator),
                linear(4096, 4096, generator: &generator), ReLU(), Dropout(probability: 0.5, generator: &generator),
                linear(4096, classCount, generator: &generator))
        case .globalPool:
            Sequential(linear(channels, classCount, generator: &generator))
        }
    }

    private var finalLayer: Linear { classifier.layers.last as! Linear }

    public var featureWidth: Int { finalLayer.inputFeatures }
    public var classCount: Int { finalLayer.outputFeatures }
    public var classifierPrefix: String { "classifier.\(classifier.layers.count - 1)" }

    public func stageOutputs(_ input: Variable) -> [Variable] {
        precondition(input.rank == 4, "VGG: input must be [N, C, H, W], got \(input.shape)")
        let layers = features.layers
        var x = input
        var outputs: [Variable] = []
        var index = 0
        while index < layers.count {
            if let convolution = layers[index] as? Conv2d, index + 2 < layers.count,
               let norm = layers[index + 1] as? BatchNorm2d, layers[index + 2] is ReLU {
                x = convolution(x, normalizedBy: norm, applyingReLU: true)  // conv, BatchNorm and ReLU fused
                index += 2
            } else {
                x = layers[index](x)
            }
            if stageEnds.contains(index) { outputs.append(x) }
            index += 1
        }
        return outputs
    }

    public func features(_ input: Variable) -> Variable {
        let maps = stageOutputs(input).last!
        switch head {
        case .torchvision:
            let pooled = Variable.adaptiveAvgPool2d(maps, outputSize: 7).reshaped([input.shape[0], -1])
            return classifier.layers[0..<5].reduce(pooled) { $1($0) }
        case .globalPool:
            return Variable.adaptiveAvgPool2d(maps, outputSize: 1).reshaped([input.shape[0], -1])
        }
    }

    /// Class logits `[N, classCount]`.
    public func callAsFunction(_ input: Variable) -> Variable { logits(fromFeatures: features(input)) }

    public func logits(fromFeatures features: Variable) -> Variable {
        finalLayer(head == .torchvision ? classifier.layers[5](features) : features)
    }

    public func replaceClassifier(classCount: Int, generator: inout RandomGenerator) {
        classifier = Sequential(Array(classifier.layers.dropLast()) + [VGG.linear(featureWidth, classCount, generator: &generator)])
    }
}
