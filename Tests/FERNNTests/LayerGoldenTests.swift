import Testing
import FERTensor
@testable import FERNN

/// Each layer loads PyTorch's state dict for its case, runs the fixture's
/// input, and must reproduce PyTorch's output and every gradient.
@Suite struct LayerGoldenTests {
    /// Forward, backward through `sum(output * probe)`, and comparison of the
    /// output, the input gradients, the parameter gradients and (after the
    /// forward pass) the buffers.
    func check(_ name: String, _ layer: Module, inputs: Int = 1, _ apply: ([Variable]) -> Variable) throws {
        try layer.load(stateDict: Golden.stateDict(of: name), source: name)
        let suffixes = ["input", "input2", "input3"].prefix(inputs)
        let variables = suffixes.map { Variable(Golden.tensor("\(name).\($0)"), requiresGradient: true) }
        let output = apply(variables)
        expectMatchesGolden(output.value, Golden.tensor("\(name).output"), "\(name) output")
        (output * Variable(Golden.tensor("\(name).probe"))).sum().backward()
        for (suffix, variable) in zip(suffixes, variables) {
            expectMatchesGolden(variable.gradient ?? Tensor.zeros([0]), Golden.tensor("\(name).grad.\(suffix)"), "\(name) gradient of \(suffix)")
        }
        for (key, parameter) in layer.namedParameters {
            expectMatchesGolden(parameter.gradient ?? Tensor.zeros([0]), Golden.tensor("\(name).grad.\(key)"), "\(name) gradient of \(key)")
        }
        for (key, buffer) in layer.namedBuffers {
            expectMatchesGolden(buffer.value, Golden.tensor("\(name).after.\(key)"), "\(name) buffer \(key) after forward")
        }
    }

    func unary(_ name: String, _ layer: some UnaryLayer) throws {
        try check(name, layer) { layer($0[0]) }
    }

    var generator = RandomGenerator(seed: 0)

    @Test mutating func convolutionsMatchPyTorch() throws {
        try unary("conv2d_stride2_padding1", Conv2d(inputChannels: 3, outputChannels: 4, kernelSize: 3, stride: 2, padding: 1, generator: &generator))
        try unary("conv2d_dilation2_groups2", Conv2d(inputChannels: 4, outputChannels: 6, kernelSize: 3, padding: 2, dilation: 2,
                                                      groups: 2, bias: false, generator: &generator))
        try unary("conv2d_depthwise", Conv2d(inputChannels: 4, outputChannels: 4, kernelSize: 3, padding: 1, groups: 4, generator: &generator))
        try unary("conv1d", Conv1d(inputChannels: 2, outputChannels: 3, kernelSize: 3, stride: 2, padding: 1, generator: &generator))
        try unary("conv_transpose2d", ConvTranspose2d(inputChannels: 3, outputChannels: 2, kernelSize: 3, stride: 2, padding: 1,
                                                      outputPadding: 1, generator: &generator))
    }

    @Test func normalizationsMatchPyTorch() throws {
        try unary("batch_norm2d_train", BatchNorm2d(featureCount: 3))
        let evaluated = BatchNorm2d(featureCount: 3)
        evaluated.eval()
        try unary("batch_norm2d_eval", evaluated)
        try unary("batch_norm1d_train", BatchNorm1d(featureCount: 4))
        try unary("layer_norm", LayerNorm(normalizedShape: [4]))
    }

    @Test func poolingAndResizingMatchPyTorch() throws {
        try unary("max_pool2d", MaxPool2d(kernelSize: 3, stride: 2, padding: 1))
        try unary("avg_pool2d", AvgPool2d(kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false))
        try unary("adaptive_avg_pool2d", AdaptiveAvgPool2d(outputSize: Size2D(height: 3, width: 2)))
        try unary("upsample_bilinear", Upsample(scaleFactor: 2, mode: .bilinear()))
    }

    @Test mutating func attentionMatchesPyTorch() throws {
        let attention = MultiheadAttention(embedding: 8, headCount: 2, generator: &generator)
        #expect(attention.stateDictKeys == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"])
        try check("attention", attention, inputs: 3) { attention(query: $0[0], key: $0[1], value: $0[2]) }
    }
}
