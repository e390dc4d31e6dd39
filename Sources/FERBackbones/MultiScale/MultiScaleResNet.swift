import FERNN
import FERTensor

/// Which ideas of the multi-scale network are switched on; each can be
/// switched off on its own to measure its contribution (ablation).
public struct MultiScaleConfiguration: Codable, Equatable, Sendable {
    /// Fuse the feature maps of stages 2, 3 and 4 (otherwise stage 4 alone).
    public var multiScaleFusion: Bool
    /// Re-weight the fused map with channel and spatial attention.
    public var hybridAttention: Bool
    /// Pyramid convolutions (3/5/7/9 kernels) in place of the bottlenecks' 3x3 convolutions.
    public var pyramidConvolution: Bool
    /// Channels each stage is projected to before fusion.
    public var fusionWidth: Int
    /// Dropout before the classifier.
    public var dropout: Float

    /// The full network: every idea on.
    public init(
        multiScaleFusion: Bool = true, hybridAttention: Bool = true, pyramidConvolution: Bool = true, fusionWidth: Int = 512,
        dropout: Float = 0.5
    ) {
        self.multiScaleFusion = multiScaleFusion
        self.hybridAttention = hybridAttention
        self.pyramidConvolution = pyramidConvolution
        self.fusionWidth = fusionWidth
        self.dropout = dropout
    }
}

/// Multi-scale feature fusion on ResNet50 with hybrid attention and
/// pyramid convolution (DESIGN.md 5.3; reported 83.67% on RAF-DB).
///
/// The trunk is torchvision's ResNet50 (`conv1`, `bn1`, `layer1` ...
/// `layer4`), optionally with `PyramidConv2d` in the bottlenecks. The maps
/// of stages 2, 3 and 4 are each projected by a 1x1 convolution, BatchNorm
/// and ReLU to `fusionWidth` channels (`fusion.0` ... `fusion.2`), brought to
/// the size of the stage-3 map (average pooling from stage 2, bilinear
/// up-sampling from stage 4) and concatenated; `HybridAttention`
/// (`attention`) re-weights the fused map; global average pooling, dropout
/// and `fc` classify. ImageNet ResNet50 weights load into the trunk with
/// `loadMatchingWeights`.
public final class MultiScaleResNet: Module, Backbone {
    let conv1: Conv2d
    let bn1: BatchNorm2d
    let maxpool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
    let layer1: Sequential, layer2: Sequential, layer3: Sequential, layer4: Sequential
    /// Projections of stages 2-4 (empty without multi-scale fusion).
    let fusion: [Sequential]
    let attention: HybridAttention?
    let avgpool = AdaptiveAvgPool2d(outputSize: 1)
    let dropout: Dropout
    /// The classifier.
    public private(set) var fc: Linear
    /// Which ideas are on.
    public let configuration: MultiScaleConfiguration

    /// The network for `classCount` classes.
    public init(
        configuration: MultiScaleConfiguration = .init(), classCount: Int = 7, inputChannels: Int = 3,
        generator: inout RandomGenerator
    ) {
        precondition(configuration.fusionWidth > 0, "MultiScaleResNet: fusion width must be positive")
        self.configuration = configuration
        conv1 = kaimingConvolution(inputChannels: inputChannels, outputChannels: 64, kernelSize: 7, stride: 2, padding: 3, generator: &generator)
        bn1 = BatchNorm2d(featureCount: 64)
        let stages = makeResNetStages(
            depth: .resNet50, middle: configuration.pyramidConvolution ? .pyramid : .standard, generator: &generator)
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3])
        let width = configuration.fusionWidth
        fusion = configuration.multiScaleFusion
            ? [512, 1024, 2048].map { channels in
                Sequential(
                    kaimingConvolution(inputChannels: channels, outputChannels: width, kernelSize: 1, generator: &generator),
                    BatchNorm2d(featureCount: width), ReLU())
            } : []
        let fusedChannels = configuration.multiScaleFusion ? 3 * width : 2048
        attention = configuration.hybridAttention ? HybridAttention(channels: fusedChannels, generator: &generator) : nil
        dropout = Dropout(probability: configuration.dropout, generator: &generator)
        fc = Linear(inputFeatures: fusedChannels, outputFeatures: classCount, generator: &generator)
        super.init()
    }

    public var featureWidth: Int { fc.inputFeatures }
    public var classCount: Int { fc.outputFeatures }
    public var classifierPrefix: String { "fc" }

    public func stageOutputs(_ input: Variable) -> [Variable] {
        resNetStageOutputs(input, stem: (conv1, bn1, maxpool), stages: [layer1, layer2, layer3, layer4], network: "MultiScaleResNet")
    }

    /// The fused (and re-weighted) feature map before pooling, `[N, featureWidth, h, w]`.
    public func fusedMap(_ input: Variable) -> Variable {
        let stages = stageOutputs(input)
        var fused = stages[3]
        if !fusion.isEmpty {
            let size = Size2D(height: stages[2].shape[2], width: stages[2].shape[3])
            let projected = zip(fusion, stages[1...]).map { projection, map in projection(map) }
            fused = Variable.concatenated([
                Variable.adaptiveAvgPool2d(projected[0], outputSize: size), projected[1],
                projected[2].resized(to: size, mode: .bilinear()),
            ], axis: 1)
        }
        return attention?(fused) ?? fused
    }

    public func features(_ input: Variable) -> Variable {
        avgpool(fusedMap(input)).reshaped([input.shape[0], featureWidth])
    }

    public func logits(fromFeatures features: Variable) -> Variable { fc(dropout(features)) }

    /// Class logits `[N, classCount]`.
    public func callAsFunction(_ input: Variable) -> Variable { logits(fromFeatures: features(input)) }

    public func replaceClassifier(classCount: Int, generator: inout RandomGenerator) {
        fc = Linear(inputFeatures: featureWidth, outputFeatures: classCount, generator: &generator)
    }
}
