import FERNN
import FERTensor

/// A classification network that fusion and multi-scale models can take apart.
///
/// `callAsFunction` gives class logits, `logits(features(x))`; `features`
/// gives the pooled vector that feeds the classifier; `stageOutputs` gives the feature maps after each stage.
public protocol Backbone: UnaryLayer {
    /// Width of the vector `features` returns.
    var featureWidth: Int { get }
    /// Number of classes the classifier predicts.
    var classCount: Int { get }
    /// The pooled vector that feeds the classifier, `[N, featureWidth]`.
    func features(_ input: Variable) -> Variable
    /// Class logits `[N, classCount]` from `features(_:)`'s output (what
    /// `callAsFunction` computes after it).
    func logits(fromFeatures features: Variable) -> Variable
    /// Feature maps after each stage, `[N, C_i, H_i, W_i]`, shallow to deep.
    func stageOutputs(_ input: Variable) -> [Variable]
    /// State-dict prefix of the final classifier layer (`fc`, `classifier.6`).
    var classifierPrefix: String { get }
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

extension Backbone {
    /// Loads pretrained weights (e.g. ImageNet's 1000 classes) into a network
    /// that may have another class count: the classifier is skipped when its
    /// shape differs; every other key must match exactly.
    ///
    /// - Throws: `StateDictError` listing every missing, unexpected or
    ///   mis-shaped key other than the skipped classifier.
    public func loadPretrained(_ stateDict: [String: Tensor], source: String? = nil) throws {
        let own = self.stateDict()
        var filtered = stateDict
        var skipped = Set<String>()
        for key in ["\(classifierPrefix).weight", "\(classifierPrefix).bias"] where stateDict[key] != nil && stateDict[key]?.shape != own[key]?.shape {
            filtered[key] = nil
            skipped.insert(key)
        }
        if skipped.isEmpty {
            try load(stateDict: filtered, source: source)
            return
        }
        // Strict for everything but the classifier that was left out on purpose.
        var completed = filtered
        for key in skipped { completed[key] = own[key] }
        try load(stateDict: completed, source: source)
    }
}
