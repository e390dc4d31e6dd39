import FERNN
import FERTensor

/// `Conv2d` (with bias, as the published Keras model), BatchNorm and ReLU:
/// the unit every LANMSFF convolution is (keys `0`, `1`).
func convolutionUnit(_ convolution: any UnaryLayer, channels: Int) -> Sequential {
    Sequential(convolution, BatchNorm2d(featureCount: channels), ReLU())
}

/// LANMSFF's blocks 1 and 3: 3x3 convolution, BatchNorm, ReLU; a
/// depthwise-separable 3x3 convolution, BatchNorm, ReLU; a 3x3 convolution
/// and BatchNorm; 2x2 max pooling, ReLU and dropout. Halves the resolution.
public final class LANMSFFConvolutionBlock: Module, UnaryLayer {
    let conv1: Conv2d, bn1: BatchNorm2d
    let conv2: DepthwiseSeparableConv2d, bn2: BatchNorm2d
    let conv3: Conv2d, bn3: BatchNorm2d
    let pool = MaxPool2d(kernelSize: 2)
    let dropout: Dropout

    /// A block from `inputChannels` to `channels`.
    public init(inputChannels: Int, channels: Int, dropout: Float = 0.4, generator: inout RandomGenerator) {
        conv1 = Conv2d(inputChannels: inputChannels, outputChannels: channels, kernelSize: 3, padding: 1, generator: &generator)
        bn1 = BatchNorm2d(featureCount: channels)
        conv2 = DepthwiseSeparableConv2d(
            inputChannels: channels, outputChannels: channels, kernelSize: 3, padding: 1, generator: &generator)
        bn2 = BatchNorm2d(featureCount: channels)
        conv3 = Conv2d(inputChannels: channels, outputChannels: channels, kernelSize: 3, padding: 1, generator: &generator)
        bn3 = BatchNorm2d(featureCount: channels)
        self.dropout = Dropout(probability: dropout, generator: &generator)
        super.init()
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        let hidden = bn2(conv2(conv1(input, normalizedBy: bn1, applyingReLU: true)), applyingReLU: true)
        return dropout(pool(conv3(hidden, normalizedBy: bn3)).relu())
    }
}

/// One stage of LANMSFF's two-path unit: a plain 3x3 path and a dilation-2
/// 3x3 path, each a convolution, BatchNorm and ReLU to half the channels,
/// concatenated. The first stage feeds each path one half of the input; the
/// later stages feed both paths the whole previous output.
public final class TwoPathStage: Module, UnaryLayer {
    let plain: Sequential
    let dilated: Sequential
    /// Whether the input is split in halves between the paths.
    public let splitsInput: Bool

    /// A stage to `channels` outputs (`channels / 2` per path); `separable`
    /// makes both convolutions depthwise-separable.
    public init(inputChannels: Int, channels: Int, splitsInput: Bool, separable: Bool, generator: inout RandomGenerator) {
        precondition(channels % 2 == 0 && (!splitsInput || inputChannels % 2 == 0),
                     "TwoPathStage: \(inputChannels) inputs and \(channels) outputs must split in halves")
        let pathInput = splitsInput ? inputChannels / 2 : inputChannels, pathOutput = channels / 2
        func convolution(dilation: Int) -> any UnaryLayer {
            separable
                ? DepthwiseSeparableConv2d(
                    inputChannels: pathInput, outputChannels: pathOutput, kernelSize: 3, padding: Size2D(dilation),
                    dilation: Size2D(dilation), generator: &generator)
                : Conv2d(
                    inputChannels: pathInput, outputChannels: pathOutput, kernelSize: 3, padding: Size2D(dilation),
                    dilation: Size2D(dilation), generator: &generator)
        }
        plain = convolutionUnit(convolution(dilation: 1), channels: pathOutput)
        dilated = convolutionUnit(convolution(dilation: 2), channels: pathOutput)
        self.splitsInput = splitsInput
        super.init()
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        let (plainInput, dilatedInput) = splitsInput ? { let halves = input.chunked(2, axis: 1); return (halves[0], halves[1]) }() : (input, input)
        return Variable.concatenated([plain(plainInput), dilated(dilatedInput)], axis: 1)
    }
}

/// LANMSFF's blocks 2 and 4: channel shuffle (2 groups), a two-path unit of
/// three stages (the middle one depthwise-separable), `MassAttention`
/// (which multiplies its input by the attention map), a 1x1 convolution and
/// BatchNorm, 2x2 max pooling, ReLU and dropout. Halves the resolution.
public final class LANMSFFTwoPathBlock: Module, UnaryLayer {
    let shuffle = ChannelShuffle(groups: 2)
    let stages: [TwoPathStage]
    let attention: MassAttention
    let projection: Conv2d, bn: BatchNorm2d
    let pool = MaxPool2d(kernelSize: 2)
    let dropout: Dropout

    /// A block from `inputChannels` (even) to `channels`.
    public init(inputChannels: Int, channels: Int, dropout: Float = 0.4, generator: inout RandomGenerator) {
        stages = [
            TwoPathStage(inputChannels: inputChannels, channels: channels, splitsInput: true, separable: false, generator: &generator),
            TwoPathStage(inputChannels: channels, channels: channels, splitsInput: false, separable: true, generator: &generator),
            TwoPathStage(inputChannels: channels, channels: channels, splitsInput: false, separable: false, generator: &generator),
        ]
        attention = MassAttention(channels: channels, ratio: 4, generator: &generator)
        projection = Conv2d(inputChannels: channels, outputChannels: channels, kernelSize: 1, generator: &generator)
        bn = BatchNorm2d(featureCount: channels)
        self.dropout = Dropout(probability: dropout, generator: &generator)
        super.init()
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        let paths = stages.reduce(shuffle(input)) { x, stage in stage(x) }
        return dropout(pool(projection(attention(paths), normalizedBy: bn)).relu())
    }
}
