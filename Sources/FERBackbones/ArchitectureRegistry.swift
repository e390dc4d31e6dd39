import FERNN
import FERTensor

/// The architectures FERKit builds by name: torchvision's backbones with
/// their names (`resnet18`, `vgg13_bn`, ...) and the FER networks of the
/// literature (`msff_resnet50`, `lanmsff`).
public enum Architecture: String, CaseIterable, Sendable {
    case resnet18, resnet34, resnet50, vgg11, vgg11_bn = "vgg11_bn", vgg13, vgg13_bn = "vgg13_bn"
    /// Multi-scale feature fusion on ResNet50 with hybrid attention and pyramid convolution (`MultiScaleResNet`).
    case msff_resnet50 = "msff_resnet50"
    /// The lightweight attention network with multi-scale feature fusion (`LANMSFF`).
    case lanmsff

    /// The backbones torchvision defines, whose state dicts load key for key.
    public static let torchvisionModels: [Architecture] = [.resnet18, .resnet34, .resnet50, .vgg11, .vgg11_bn, .vgg13, .vgg13_bn]

    /// Whether torchvision defines this network (and its ImageNet weights load as they are).
    public var isTorchvisionModel: Bool { Self.torchvisionModels.contains(self) }

    /// Builds the network with fresh, seeded initialisation (torchvision's for its models).
    ///
    /// - Parameter vggHead: the classifier of VGG networks (ignored for the others).
    public func make(
        classCount: Int = 1000, inputChannels: Int? = nil, vggHead: VGG.Head = .torchvision, generator: inout RandomGenerator
    ) -> any Backbone {
        let channels = inputChannels ?? defaultInput.channels
        return switch self {
        case .resnet18: ResNet(depth: .resNet18, classCount: classCount, inputChannels: channels, generator: &generator)
        case .resnet34: ResNet(depth: .resNet34, classCount: classCount, inputChannels: channels, generator: &generator)
        case .resnet50: ResNet(depth: .resNet50, classCount: classCount, inputChannels: channels, generator: &generator)
        case .vgg11, .vgg11_bn, .vgg13, .vgg13_bn:
            VGG(configuration: self == .vgg11 || self == .vgg11_bn ? .vgg11 : .vgg13,
                batchNorm: rawValue.hasSuffix("_bn"), head: vggHead, classCount: classCount,
                inputChannels: channels, generator: &generator)
        case .msff_resnet50: MultiScaleResNet(classCount: classCount, inputChannels: channels, generator: &generator)
        case .lanmsff: LANMSFF(classCount: classCount, inputChannels: channels, generator: &generator)
        }
    }

    /// The input the network is meant for: RGB 100x100 (RAF-DB's aligned
    /// faces) for the backbones, grayscale 64x64 for LANMSFF.
    public var defaultInput: (channels: Int, size: Int) {
        self == .lanmsff ? (1, 64) : (3, 100)
    }

    /// State-dict key of the first convolution's weight, whose second axis is the input channels.
    public var firstConvolutionKey: String {
        switch self {
        case .vgg11, .vgg11_bn, .vgg13, .vgg13_bn: "features.0.weight"
        case .lanmsff: "block1.conv1.weight"
        case .resnet18, .resnet34, .resnet50, .msff_resnet50: "conv1.weight"
        }
    }

    /// State-dict key of the classifier's weight (torchvision's VGG head), whose first axis is the class count.
    public var classifierWeightKey: String {
        rawValue.hasPrefix("vgg") ? "classifier.6.weight" : "fc.weight"
    }

    /// Parameters of torchvision's model with its 1000-class head and RGB input,
    /// as `sum(p.numel() for p in model.parameters())`; `nil` for the FER networks.
    public var imageNetParameterCount: Int? {
        switch self {
        case .resnet18: 11_689_512
        case .resnet34: 21_797_672
        case .resnet50: 25_557_032
        case .vgg11: 132_863_336
        case .vgg11_bn: 132_868_840
        case .vgg13: 133_047_848
        case .vgg13_bn: 133_053_736
        case .msff_resnet50, .lanmsff: nil
        }
    }

    /// Parameters of the network for `classCount` classes at its default input
    /// channels (VGG with torchvision's head): derived from the ImageNet
    /// count for torchvision's models, counted on a built network for the others.
    public func parameterCount(classCount: Int) -> Int {
        if let imageNet = imageNetParameterCount {
            let classifierInputs = rawValue.hasPrefix("vgg") ? 4096 : (self == .resnet50 ? 2048 : 512)
            return imageNet - (classifierInputs + 1) * (1000 - classCount)
        }
        var generator = RandomGenerator(seed: 0)
        return make(classCount: classCount, generator: &generator).parameterCount
    }
}
