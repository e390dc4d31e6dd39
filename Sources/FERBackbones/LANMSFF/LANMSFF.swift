import FERNN
import FERTensor

/// LANMSFF, the lightweight attention network with multi-scale feature
/// fusion (DESIGN.md 5.4; reported KDEF 90.77%, FER-2013 70.44%, FERPlus
/// 86.96%), for 64x64 grayscale faces.
///
/// Four blocks of 66, 72, 78 and 84 channels, each halving the resolution
/// (`block1`, `block3`: `LANMSFFConvolutionBlock`; `block2`, `block4`:
/// `LANMSFFTwoPathBlock` with `MassAttention`). The head applies
/// `PointwiseFeatureSelection` to the outputs of blocks 1-3 (66, 72, 78 →
/// 22, 24, 26 channels), averages all four maps globally, concatenates them
/// (22 + 24 + 26 + 84 = 156 features) and classifies with `fc`.
public final class LANMSFF: Module, Backbone {
    /// Channels of the four blocks.
    public static let blockChannels = [66, 72, 78, 84]

    let block1: LANMSFFConvolutionBlock
    let block2: LANMSFFTwoPathBlock
    let block3: LANMSFFConvolutionBlock
    let block4: LANMSFFTwoPathBlock
    let selection = PointwiseFeatureSelection()
    let avgpool = AdaptiveAvgPool2d(outputSize: 1)
    /// The classifier.
    public private(set) var fc: Linear

    /// The network for `classCount` classes (7 basic expressions, 8 with contempt for FERPlus).
    public init(classCount: Int = 7, inputChannels: Int = 1, dropout: Float = 0.4, generator: inout RandomGenerator) {
        let channels = Self.blockChannels
        block1 = LANMSFFConvolutionBlock(inputChannels: inputChannels, channels: channels[0], dropout: dropout, generator: &generator)
        block2 = LANMSFFTwoPathBlock(inputChannels: channels[0], channels: channels[1], dropout: dropout, generator: &generator)
        block3 = LANMSFFConvolutionBlock(inputChannels: channels[1], channels: channels[2], dropout: dropout, generator: &generator)
        block4 = LANMSFFTwoPathBlock(inputChannels: channels[2], channels: channels[3], dropout: dropout, generator: &generator)
        let width = channels[0] / 3 + channels[1] / 3 + channels[2] / 3 + channels[3]
        fc = Linear(inputFeatures: width, outputFeatures: classCount, generator: &generator)
        super.init()
    }

    public var featureWidth: Int { fc.inputFeatures }
    public var classCount: Int { fc.outputFeatures }
    public var classifierPrefix: String { "fc" }

    /// The outputs of the four blocks (resolution halved by each: 32, 16, 8, 4 for 64x64 input).
    public func stageOutputs(_ input: Variable) -> [Variable] {
        precondition(
            input.rank == 4 && input.shape[2] >= 16 && input.shape[3] >= 16,
            "LANMSFF: input must be [N, C, H, W] with H, W >= 16, got \(input.shape)")
        var x = input
        return ([block1, block2, block3, block4] as [any UnaryLayer]).map { block in
            x = block(x)
            return x
        }
    }

    /// The 156 multi-scale features: selected and pooled block outputs.
    public func features(_ input: Variable) -> Variable {
        let blocks = stageOutputs(input)
        let selected = blocks.prefix(3).map { selection($0) } + [blocks[3]]
        return Variable.concatenated(selected.map { avgpool($0).flattened(startAxis: 1) }, axis: 1)
    }

    public func logits(fromFeatures features: Variable) -> Variable { fc(features) }

    /// Class logits `[N, classCount]`.
    public func callAsFunction(_ input: Variable) -> Variable { fc(features(input)) }

    public func replaceClassifier(classCount: Int, generator: inout RandomGenerator) {
        fc = Linear(inputFeatures: featureWidth, outputFeatures: classCount, generator: &generator)
    }
}
