import FERNN
import FERTensor

/// A classification network that fusion and multi-scale models can take apart.
///
/// `callAsFunction` gives class logits; `features` gives the pooled vector that
/// feeds the classifier; `stageOutputs` gives the feature maps after each stage.
public protocol Backbone: UnaryLayer {
    /// Width of the vector `features` returns.
    var featureWidth: Int { get }
    /// Number of classes the classifier predicts.
    var classCount: Int { get }
    /// The pooled vector that feeds the classifier, `[N, featureWidth]`.
    func features(_ input: Variable) -> Variable
    /// Feature maps after each stage, `[N, C_i, H_i, W_i]`, shallow to deep.
    func stageOutputs(_ input: Variable) -> [Variable]
    /// Replaces the classifier with a fresh one for `classCount` classes, keeping everything else.
    func replaceClassifier(classCount: Int, generator: inout RandomGenerator)
}

/// torchvision's convolution initialisation: Kaiming-normal weights for ReLU
/// with fan-out mode, zero bias.
func kaimingConvolution(
    inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, bias: Bool = false,
    generator: inout RandomGenerator
) -> Conv2d {
    let weight = Initialization.kaimingNormal(
        [outputChannels, inputChannels, kernelSize, kernelSize], mode: .fanOut, using: &generator)
    return Conv2d(weight: weight, bias: bias ? Tensor.zeros([outputChannels]) : nil,
                  options: ConvolutionOptions(stride: Size2D(stride), padding: Size2D(padding)))
}
