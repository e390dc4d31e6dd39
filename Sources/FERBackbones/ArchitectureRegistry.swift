import FERNN
import FERTensor

/// The architectures FERKit builds by name (`resnet18`, `vgg13_bn`, ...), with
/// torchvision's names.
public enum Architecture: String, CaseIterable, Sendable {
    case resnet18, resnet34, resnet50, vgg11, vgg11_bn = "vgg11_bn", vgg13, vgg13_bn = "vgg13_bn"

    /// Builds the network with fresh, seeded torchvision initialisation.
    ///
    /// - Parameter vggHead: the classifier of VGG networks (ignored for ResNets).
    public func make(
        classCount: Int = 1000, inputChannels: Int = 3, vggHead: VGG.Head = .torchvision, generator: inout RandomGenerator
    ) -> any Backbone {
        switch self {
        case .resnet18: ResNet(depth: .resNet18, classCount: classCount, inputChannels: inputChannels, generator: &generator)
        case .resnet34: ResNet(depth: .resNet34, classCount: classCount, inputChannels: inputChannels, generator: &generator)
        case .resnet50: ResNet(depth: .resNet50, classCount: classCount, inputChannels: inputChannels, generator: &generator)
        case .vgg11, .vgg11_bn, .vgg13, .vgg13_bn:
            VGG(configuration: self == .vgg11 || self == .vgg11_bn ? .vgg11 : .vgg13,
                batchNorm: rawValue.hasSuffix("_bn"), head: vggHead, classCount: classCount,
                inputChannels: inputChannels, generator: &generator)
        }
    }

    /// Parameters of the network with torchvision's 1000-class head and RGB input,
    /// as `sum(p.numel() for p in model.parameters())` (the `fer models` listing).
    public var imageNetParameterCount: Int {
        switch self {
        case .resnet18: 11_689_512
        case .resnet34: 21_797_672
        case .resnet50: 25_557_032
        case .vgg11: 132_863_336
        case .vgg11_bn: 132_868_840
        case .vgg13: 133_047_848
        case .vgg13_bn: 133_053_736
        }
    }
}
