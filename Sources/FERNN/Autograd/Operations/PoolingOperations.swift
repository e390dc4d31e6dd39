import FERTensor

// 2-D pooling on NCHW variables, with FERTensor's backward kernels.

extension Variable {
    /// 2-D max pooling, as `Tensor.maxPool2d`. The positions of the maxima are
    /// kept for the backward pass, which routes each output gradient to its
    /// input element (the first maximum of a window on ties, as PyTorch);
    /// when no gradient is recorded, only the values are computed.
    public static func maxPool2d(_ input: Variable, options: PoolingOptions) -> Variable {
        guard recordsGradient(of: [input]) else { return Variable(Tensor.maxPool2dValues(input.value, options: options)) }
        let pooled = Tensor.maxPool2d(input.value, options: options)
        let inputShape = input.shape, indices = pooled.indices
        return record(pooled.output, name: "maxPool2d", inputs: [input]) { gradient in
            [Tensor.maxPool2dBackward(gradient, indices: indices, inputShape: inputShape, options: options)]
        }
    }

    /// 2-D average pooling, as `Tensor.avgPool2d`.
    public static func avgPool2d(_ input: Variable, options: PoolingOptions, countIncludePad: Bool = true) -> Variable {
        let inputShape = input.shape
        let output = Tensor.avgPool2d(input.value, options: options, countIncludePad: countIncludePad)
        return record(output, name: "avgPool2d", inputs: [input]) { gradient in
            [Tensor.avgPool2dBackward(gradient, inputShape: inputShape, options: options, countIncludePad: countIncludePad)]
        }
    }

    /// Adaptive average pooling to `outputSize`, as `Tensor.adaptiveAvgPool2d`.
    public static func adaptiveAvgPool2d(_ input: Variable, outputSize: Size2D) -> Variable {
        let inputShape = input.shape
        return record(Tensor.adaptiveAvgPool2d(input.value, outputSize: outputSize), name: "adaptiveAvgPool2d", inputs: [input]) {
            [Tensor.adaptiveAvgPool2dBackward($0, inputShape: inputShape)]
        }
    }
}
