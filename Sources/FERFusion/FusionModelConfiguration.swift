import FERBackbones
import FERNN
import FERTensor

/// Everything needed to rebuild a fusion model before loading its weights:
/// backbones, strategy and head settings, class names and preprocessing.
/// A saved model keeps it as JSON in its checkpoint metadata.
public struct FusionModelConfiguration: Codable, Equatable, Sendable {
    /// Registry name of the first backbone (`resnet18`, `vgg13_bn`, ...).
    public var firstBackbone: String
    /// Registry name of the second backbone.
    public var secondBackbone: String
    /// The classifier VGG backbones end with.
    public var vggHead: VGG.Head
    /// The fusion strategy.
    public var strategy: FusionStrategyKind
    /// Attention-head settings (attention fusion).
    public var attention: AttentionFusionConfiguration
    /// Hidden width of the concatenation classifier (early and joint fusion); `nil` for one linear layer.
    public var hiddenWidth: Int?
    /// Weight of the first backbone's probabilities (late fusion).
    public var lateWeight: Float
    /// Class names, in the order of the outputs.
    public var classNames: [String]
    /// How images become input.
    public var preprocessing: Preprocessing

    /// A configuration with the paper's defaults for whatever is not given.
    public init(
        firstBackbone: Architecture, secondBackbone: Architecture, strategy: FusionStrategyKind, classNames: [String],
        preprocessing: Preprocessing = .imageNet(size: 100), vggHead: VGG.Head = .torchvision,
        attention: AttentionFusionConfiguration = .init(), hiddenWidth: Int? = 512, lateWeight: Float = 0.5
    ) {
        self.firstBackbone = firstBackbone.rawValue
        self.secondBackbone = secondBackbone.rawValue
        self.vggHead = vggHead
        self.strategy = strategy
        self.attention = attention
        self.hiddenWidth = hiddenWidth
        self.lateWeight = lateWeight
        self.classNames = classNames
        self.preprocessing = preprocessing
    }

    /// The backbone registry entries, or nil for a name the registry lacks.
    var architectures: (Architecture, Architecture)? {
        guard let first = Architecture(rawValue: firstBackbone), let second = Architecture(rawValue: secondBackbone) else {
            return nil
        }
        return (first, second)
    }
}

extension FusionModel {
    /// A freshly initialised model as `configuration` describes it (load
    /// pretrained backbone weights into `first` and `second` afterwards).
    ///
    /// - Precondition: both backbone names are in the registry (`Architecture`).
    public convenience init(configuration: FusionModelConfiguration, generator: inout RandomGenerator) {
        guard let (firstArchitecture, secondArchitecture) = configuration.architectures else {
            preconditionFailure("FusionModel: unknown backbone \(configuration.firstBackbone) or \(configuration.secondBackbone)")
        }
        let classCount = configuration.classNames.count, channels = configuration.preprocessing.channels
        let first = firstArchitecture.make(
            classCount: classCount, inputChannels: channels, vggHead: configuration.vggHead, generator: &generator)
        let second = secondArchitecture.make(
            classCount: classCount, inputChannels: channels, vggHead: configuration.vggHead, generator: &generator)
        let widths = (first.featureWidth, second.featureWidth)
        let head: any FusionHead = switch configuration.strategy {
        case .late: LateFusionHead(classCount: classCount, weight: configuration.lateWeight)
        case .early, .joint:
            ConcatenationFusionHead(
                kind: configuration.strategy, featureWidths: widths, classCount: classCount,
                hiddenWidth: configuration.hiddenWidth, generator: &generator)
        case .attention:
            AttentionFusionHead(
                featureWidths: widths, classCount: classCount, configuration: configuration.attention, generator: &generator)
        }
        self.init(first: first, second: second, head: head, classNames: configuration.classNames)
        self.configuration = configuration
    }
}
