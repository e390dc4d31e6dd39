import FERNN
import FERTensor

/// The shortcut of a block that changes resolution or width: 1x1 convolution and BatchNorm (`downsample.0/1`).
func downsample(inputChannels: Int, outputChannels: Int, stride: Int, generator: inout RandomGenerator) -> Sequential? {
    guard stride != 1 || inputChannels != outputChannels else { return nil }
    return Sequential(
        kaimingConvolution(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 1, stride: stride, generator: &generator),
        BatchNorm2d(featureCount: outputChannels))
}

/// The identity, or the downsampling convolution and batch norm built by `downsample`.
private func shortcut(_ input: Variable, _ downsample: Sequential?) -> Variable {
    guard let downsample else { return input }
    if let convolution = downsample.layers[0] as? Conv2d, let norm = downsample.layers[1] as? BatchNorm2d {
        return convolution(input, normalizedBy: norm)
    }
    return downsample(input)
}

/// ResNet18/34's block: two 3x3 convolutions and a shortcut, as torchvision's `BasicBlock`.
public final class BasicBlock: Module, UnaryLayer {
    let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d
    let downsample: Sequential?

    /// A block from `inputChannels` to `width` channels; `stride` 2 halves the resolution.
    public init(inputChannels: Int, width: Int, stride: Int, generator: inout RandomGenerator) {
        conv1 = kaimingConvolution(inputChannels: inputChannels, outputChannels: width, kernelSize: 3, stride: stride, padding: 1, generator: &generator)
        bn1 = BatchNorm2d(featureCount: width)
        conv2 = kaimingConvolution(inputChannels: width, outputChannels: width, kernelSize: 3, padding: 1, generator: &generator)
        bn2 = BatchNorm2d(featureCount: width)
        self.downsample = FERBackbones.downsample(inputChannels: inputChannels, outputChannels: width, stride: stride, generator: &generator)
        super.init()
    }

    /// `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`.
    public func callAsFunction(_ input: Variable) -> Variable {
        let hidden = conv1(input, normalizedBy: bn1, applyingReLU: true)
        return conv2(hidden, normalizedBy: bn2, adding: shortcut(input, downsample), applyingReLU: true)
    }
}

/// What a bottleneck's middle convolution is.
public enum BottleneckConvolution: String, Codable, Sendable {
    /// torchvision's 3x3 convolution (`conv2.weight`).
    case standard
    /// A pyramid of 3/5/7/9 kernels with 1/4/8/16 groups (`conv2.levels.N.weight`).
    case pyramid
}

/// ResNet50's block: 1x1, 3x3 (with the stride) and 1x1 convolutions, four
/// times wider at the output, as torchvision's `Bottleneck` (ResNet v1.5).
/// The middle convolution may be a `PyramidConv2d` instead.
public final class Bottleneck: Module, UnaryLayer {
    let conv1: Conv2d, bn1: BatchNorm2d, conv2: any UnaryLayer, bn2: BatchNorm2d, conv3: Conv2d, bn3: BatchNorm2d
    let downsample: Sequential?

    /// A block from `inputChannels` to `4 * width` channels.
    public init(
        inputChannels: Int, width: Int, stride: Int, middle: BottleneckConvolution = .standard,
        generator: inout RandomGenerator
    ) {
        let output = width * ResidualBlockKind.bottleneck.expansion
        conv1 = kaimingConvolution(inputChannels: inputChannels, outputChannels: width, kernelSize: 1, generator: &generator)
        bn1 = BatchNorm2d(featureCount: width)
        conv2 = switch middle {
        case .standard:
            kaimingConvolution(inputChannels: width, outputChannels: width, kernelSize: 3, stride: stride, padding: 1, generator: &generator)
        case .pyramid: PyramidConv2d(inputChannels: width, outputChannels: width, stride: stride, generator: &generator)
        }
        bn2 = BatchNorm2d(featureCount: width)
        conv3 = kaimingConvolution(inputChannels: width, outputChannels: output, kernelSize: 1, generator: &generator)
        bn3 = BatchNorm2d(featureCount: output)
        self.downsample = FERBackbones.downsample(inputChannels: inputChannels, outputChannels: output, stride: stride, generator: &generator)
        super.init()
    }

    /// `relu(bn3(conv3(...)) + shortcut(x))`.
    public func callAsFunction(_ input: Variable) -> Variable {
        let reduced = conv1(input, normalizedBy: bn1, applyingReLU: true)
        let hidden = (conv2 as? Conv2d).map { $0(reduced, normalizedBy: bn2, applyingReLU: true) }
            ?? bn2(conv2(reduced), applyingReLU: true)
        return conv3(hidden, normalizedBy: bn3, adding: shortcut(input, downsample), applyingReLU: true)
    }
}
