/// The two residual block types of torchvision's ResNets.
public enum ResidualBlockKind: Sendable {
    /// Two 3x3 convolutions (ResNet18/34); expansion 1.
    case basic
    /// 1x1, 3x3 (carrying the stride), 1x1 convolutions (ResNet50); expansion 4.
    case bottleneck

    /// Ratio of a block's output channels to its width.
    public var expansion: Int { self == .basic ? 1 : 4 }
}

/// ResNet variants by depth, with torchvision's block type and blocks per stage.
public enum ResNetDepth: Int, CaseIterable, Sendable {
    case resNet18 = 18, resNet34 = 34, resNet50 = 50

    /// Block type of every stage.
    public var blockKind: ResidualBlockKind { self == .resNet50 ? .bottleneck : .basic }

    /// Blocks in `layer1` ... `layer4`.
    public var blocksPerStage: [Int] {
        switch self {
        case .resNet18: [2, 2, 2, 2]
        case .resNet34, .resNet50: [3, 4, 6, 3]
        }
    }
}

/// One entry of a VGG feature configuration, as in torchvision's `cfgs`.
public enum VGGLayer: Equatable, Sendable {
    /// A 3x3 convolution (padding 1) to this many channels, then (BatchNorm and) ReLU.
    case convolution(channels: Int)
    /// A 2x2 max pooling with stride 2.
    case maxPool
}

/// VGG configurations by name (torchvision's "A" = VGG11 and "B" = VGG13).
public enum VGGConfiguration: String, CaseIterable, Sendable {
    case vgg11 = "A", vgg13 = "B"

    /// The feature extractor's layers in order.
    public var layers: [VGGLayer] {
        let widths: [Int?] = switch self {
        case .vgg11: [64, nil, 128, nil, 256, 256, nil, 512, 512, nil, 512, 512, nil]
        case .vgg13: [64, 64, nil, 128, 128, nil, 256, 256, nil, 512, 512, nil, 512, 512, nil]
        }
        return widths.map { $0.map { .convolution(channels: $0) } ?? .maxPool }
    }
}
