import FERNN
import FERTensor

/// ResNet18/34/50 exactly as torchvision builds them: same module names,
/// shapes and initialisation, so torchvision state dicts load key for key.
///
/// Any input of 32x32 or more works (adaptive average pooling before `fc`);
/// `inputChannels: 1` makes a grayscale stem.
public final class ResNet: Module, Backbone {
    let conv1: Conv2d
    let bn1: BatchNorm2d
    let maxpool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
    let layer1: Sequential, layer2: Sequential, layer3: Sequential, layer4: Sequential
    let avgpool = AdaptiveAvgPool2d(outputSize: 1)
    /// The classifier.
    public private(set) var fc: Linear
    /// Which ResNet this is.
    public let depth: ResNetDepth

    /// A ResNet of the given depth.
    public init(depth: ResNetDepth, classCount: Int = 1000, inputChannels: Int = 3, generator: inout RandomGenerator) {
        self.depth = depth
        conv1 = kaimingConvolution(inputChannels: inputChannels, outputChannels: 64, kernelSize: 7, stride: 2, padding: 3, generator: &generator)
        bn1 = BatchNorm2d(featureCount: 64)
        var channels = 64
        var stages: [Sequential] = []
        for (index, (width, blocks)) in zip([64, 128, 256, 512], depth.blocksPerStage).enumerated() {
            var layers: [any UnaryLayer] = []
            for block in 0..<blocks {
                let stride = block == 0 && index > 0 ? 2 : 1
                switch depth.blockKind {
                case .basic: layers.append(BasicBlock(inputChannels: channels, width: width, stride: stride, generator: &generator))
                case .bottleneck: layers.append(Bottleneck(inputChannels: channels, width: width, stride: stride, generator: &generator))
                }
                channels = width * depth.blockKind.expansion
            }
            stages.append(Sequential(layers))
        }
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3])
        fc = Linear(inputFeatures: channels, outputFeatures: classCount, generator: &generator)
        super.init()
    }

    public var featureWidth: Int { fc.inputFeatures }
    public var classCount: Int { fc.outputFeatures }
    public var classifierPrefix: String { "fc" }

    public func stageOutputs(_ input: Variable) -> [Variable] {
        precondition(input.rank == 4, "ResNet: input must be [N, C, H, W], got \(input.shape)")
        var x = maxpool(conv1(input, normalizedBy: bn1, applyingReLU: true))
        return [layer1, layer2, layer3, layer4].map { stage in
            x = stage(x)
            return x
        }
    }

    public func features(_ input: Variable) -> Variable {
        avgpool(stageOutputs(input)[3]).reshaped([input.shape[0], featureWidth])
    }

    /// Class logits `[N, classCount]`.
    public func callAsFunction(_ input: Variable) -> Variable { fc(features(input)) }

    public func logits(fromFeatures features: Variable) -> Variable { fc(features) }

    public func replaceClassifier(classCount: Int, generator: inout RandomGenerator) {
        fc = Linear(inputFeatures: featureWidth, outputFeatures: classCount, generator: &generator)
    }
}
