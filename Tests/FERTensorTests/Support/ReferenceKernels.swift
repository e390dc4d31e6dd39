import Testing
@testable import FERTensor

/// Obviously-correct (slow) reference implementations of the kernels, by
/// direct loops over every tap.
enum Reference {
    /// Calls `body(outputIndex, inputIndex, weightIndex)` for every
    /// multiply-add of a 2-D convolution (within bounds).
    static func forEachConvolutionTap(
        input: [Int], weight: [Int], options: ConvolutionOptions,
        _ body: (_ output: Int, _ input: Int, _ weight: Int) -> Void
    ) -> [Int] {
        let (n, h, w, c) = (input[0], input[2], input[3], input[1])
        let (o, cg, kh, kw) = (weight[0], weight[1], weight[2], weight[3])
        let oh = (h + 2 * options.padding.height - options.dilation.height * (kh - 1) - 1) / options.stride.height + 1
        let ow = (w + 2 * options.padding.width - options.dilation.width * (kw - 1) - 1) / options.stride.width + 1
        let og = o / options.groups
        for sample in 0..<n {
            for out in 0..<o {
                let group = out / og
                for y in 0..<oh {
                    for x in 0..<ow {
                        for channel in 0..<cg {
                            for i in 0..<kh {
                                for j in 0..<kw {
                                    let iy = y * options.stride.height - options.padding.height + i * options.dilation.height
                                    let ix = x * options.stride.width - options.padding.width + j * options.dilation.width
                                    guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                    let inputChannel = group * cg + channel
                                    body(
                                        ((sample * o + out) * oh + y) * ow + x,
                                        ((sample * c + inputChannel) * h + iy) * w + ix,
                                        ((out * cg + channel) * kh + i) * kw + j)
                                }
                            }
                        }
                    }
                }
            }
        }
        return [n, o, oh, ow]
    }

    static func conv2d(_ input: Tensor, _ weight: Tensor, bias: Tensor?, _ options: ConvolutionOptions) -> Tensor {
        let x = input.scalars, w = weight.scalars
        var sums: [Int: Double] = [:]
        let shape = forEachConvolutionTap(input: input.shape, weight: weight.shape, options: options) { out, inp, wt in
            sums[out, default: 0] += Double(x[inp]) * Double(w[wt])
        }
        var y = (0..<shape.reduce(1, *)).map { sums[$0] ?? 0 }
        if let bias {
            let b = bias.scalars, plane = shape[2] * shape[3]
            for index in y.indices { y[index] += Double(b[(index / plane) % shape[1]]) }
        }
        return Tensor(shape: shape, scalars: y.map { Float($0) })
    }

    /// Max over each window with -inf padding, plus the chosen flat index in the input plane.
    static func maxPool2d(_ input: Tensor, _ options: PoolingOptions) -> (Tensor, [Int32]) {
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let oh = slidingWindowOutputSize(input: h, kernel: options.kernelSize.height, stride: options.stride.height,
                                         padding: options.padding.height, dilation: options.dilation.height, ceilMode: options.ceilMode)
        let ow = slidingWindowOutputSize(input: w, kernel: options.kernelSize.width, stride: options.stride.width,
                                         padding: options.padding.width, dilation: options.dilation.width, ceilMode: options.ceilMode)
        let x = input.scalars
        var y: [Float] = [], indices: [Int32] = []
        for plane in 0..<(n * c) {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var best = -Float.infinity, bestIndex = -1
                    for i in 0..<options.kernelSize.height {
                        for j in 0..<options.kernelSize.width {
                            let iy = oy * options.stride.height - options.padding.height + i * options.dilation.height
                            let ix = ox * options.stride.width - options.padding.width + j * options.dilation.width
                            guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                            let value = x[plane * h * w + iy * w + ix]
                            if bestIndex < 0 || value > best { best = value; bestIndex = iy * w + ix }
                        }
                    }
                    y.append(best)
                    indices.append(Int32(bestIndex))
                }
            }
        }
        return (Tensor(shape: [n, c, oh, ow], scalars: y), indices)
    }

    /// `sum(a * b)` in double precision.
    static func dot(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.shape == b.shape)
        return zip(a.scalars, b.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// `sum(|a| * |b|)`: the scale against which a dot product's rounding is judged.
    static func magnitude(_ a: Tensor, _ b: Tensor) -> Double {
        zip(a.scalars, b.scalars).reduce(0) { $0 + Swift.abs(Double($1.0) * Double($1.1)) }
    }
}

/// Asserts `<forward(x), y> == <x, adjoint(y)>`: the defining property of a
/// backward pass of a linear map, checked on random tensors.
func expectAdjoint(
    _ forwardOutput: Tensor, _ upstream: Tensor, _ input: Tensor, _ adjointOutput: Tensor,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let left = Reference.dot(forwardOutput, upstream)
    let right = Reference.dot(input, adjointOutput)
    let scale = Swift.max(Reference.magnitude(forwardOutput, upstream), 1e-6)
    #expect(Swift.abs(left - right) <= 1e-5 * scale, "adjoint identity: \(left) vs \(right)", sourceLocation: sourceLocation)
}
