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
        let stages = makeResNetStages(depth: depth, generator: &generator)
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3])
        let channels = 512 * depth.blockKind.expansion
        fc = Linear(inputFeatures: channels, outputFeatures: classCount, generator: &generator)
        super.init()
    }

    public var featureWidth: Int { fc.inputFeatures }
    public var classCount: Int { fc.outputFeatures }
    public var classifierPrefix: String { "fc" }

    public func stageOutputs(_ input: Variable) -> [Variable] {
        resNetStageOutputs(input, stem: (conv1, bn1, maxpool), stages: [layer1, layer2, layer3, layer4], network: "ResNet")
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

/// torchvision's `layer1` ... `layer4` for `depth`: stages of 64, 128, 256
/// and 512 wide blocks, the first block of stages 2-4 with stride 2;
/// bottlenecks use `middle` as their middle convolution.
func makeResNetStages(
    depth: ResNetDepth, middle: BottleneckConvolution = .standard, generator: inout RandomGenerator
) -> [Sequential] {
    var channels = 64
    return zip([64, 128, 256, 512], depth.blocksPerStage).enumerated().map { index, stage in
        let (width, blocks) = stage
        let layers: [any UnaryLayer] = (0..<blocks).map { block in
            let stride = block == 0 && index > 0 ? 2 : 1
            defer { channels = width * depth.blockKind.expansion }
            switch depth.blockKind {
            case .basic: return BasicBlock(inputChannels: channels, width: width, stride: stride, generator: &generator)
            case .bottleneck:
                return Bottleneck(inputChannels: channels, width: width, stride: stride, middle: middle, generator: &generator)
            }
        }
        return Sequential(layers)
    }
}

/// The outputs of `stages` after torchvision's ResNet stem (convolution,
/// BatchNorm and ReLU, max pooling) on `input` `[N, C, H, W]`.
func resNetStageOutputs(
    _ input: Variable, stem: (Conv2d, BatchNorm2d, MaxPool2d), stages: [Sequential], network: String
) -> [Variable] {
    precondition(input.rank == 4, "\(network): input must be [N, C, H, W], got \(input.shape)")
    var x = stem.2(stem.0(input, normalizedBy: stem.1, applyingReLU: true))
    return stages.map { stage in
        x = stage(x)
        return x
    }
}
