import CFERKernels

/// Stride, padding, dilation and groups of a 2-D convolution (PyTorch's
/// `Conv2d` arguments; the kernel size comes from the weight's shape).
public struct ConvolutionOptions: Equatable, Hashable, Sendable {
    /// Step between windows.
    public var stride: Size2D
    /// Zero padding added on both sides of each axis.
    public var padding: Size2D
    /// Spacing between kernel taps.
    public var dilation: Size2D
    /// Number of channel groups; input and output channels must both divide by it.
    public var groups: Int

    /// Options with PyTorch's defaults: stride 1, no padding, no dilation, one group.
    public init(stride: Size2D = 1, padding: Size2D = 0, dilation: Size2D = 1, groups: Int = 1) {
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }
}

/// Shapes of one 2-D convolution: input `[N, C, H, W]`, weight
/// `[O, C/groups, KH, KW]`, output `[N, O, OH, OW]`.
@usableFromInline
struct ConvolutionGeometry {
    let batch: Int
    let inputChannels: Int
    let outputChannels: Int
    let groups: Int
    let window: WindowGeometry

    var groupInputChannels: Int { inputChannels / groups }
    var groupOutputChannels: Int { outputChannels / groups }
    /// Rows of the im2col matrix of one group: `C/groups * KH * KW`.
    var columnRows: Int { groupInputChannels * window.taps }
    var inputShape: [Int] { [batch, inputChannels, window.raw.in_height, window.raw.in_width] }
    var outputShape: [Int] { [batch, outputChannels, window.raw.out_height, window.raw.out_width] }
    var weightShape: [Int] { [outputChannels, groupInputChannels, window.raw.kernel_height, window.raw.kernel_width] }

    /// A 1x1 convolution with stride 1 and no padding: the input already is the column matrix.
    var isPointwise: Bool {
        let raw = window.raw
        return raw.kernel_height == 1 && raw.kernel_width == 1 && raw.stride_height == 1 && raw.stride_width == 1
            && raw.pad_height == 0 && raw.pad_width == 0
    }

    /// Depthwise: one input channel per group (weight `[C*m, 1, KH, KW]`).
    var isDepthwise: Bool { groups > 1 && groups == inputChannels }

    init(inputShape: [Int], weightShape: [Int], options: ConvolutionOptions) {
        precondition(inputShape.count == 4, "conv2d: input must be [N, C, H, W], got \(inputShape)")
        precondition(weightShape.count == 4, "conv2d: weight must be [O, C/groups, KH, KW], got \(weightShape)")
        let groups = options.groups
        precondition(groups >= 1, "conv2d: groups must be positive, got \(groups)")
        precondition(
            inputShape[1] % groups == 0 && weightShape[0] % groups == 0,
            "conv2d: \(inputShape[1]) input and \(weightShape[0]) output channels must divide by groups = \(groups)")
        precondition(
            weightShape[1] * groups == inputShape[1],
            "conv2d: weight \(weightShape) expects \(weightShape[1] * groups) input channels, input \(inputShape) has \(inputShape[1])")
        precondition(
            options.stride.height > 0 && options.stride.width > 0 && options.dilation.height > 0
                && options.dilation.width > 0 && options.padding.height >= 0 && options.padding.width >= 0,
            "conv2d: stride and dilation must be positive and padding non-negative, got \(options)")
        let window = WindowGeometry(
            input: Size2D(height: inputShape[2], width: inputShape[3]),
            kernel: Size2D(height: weightShape[2], width: weightShape[3]),
            stride: options.stride, padding: options.padding, dilation: options.dilation)
        precondition(
            window.raw.out_height > 0 && window.raw.out_width > 0,
            "conv2d: kernel \(weightShape[2])x\(weightShape[3]) with \(options) does not fit input \(inputShape)")
        self.batch = inputShape[0]
        self.inputChannels = inputShape[1]
        self.outputChannels = weightShape[0]
        self.groups = groups
        self.window = window
    }

    /// How many samples share one GEMM: enough that its column count reaches
    /// `targetColumns` (small feature maps), but no more than leaves a block
    /// for every worker.
    var samplesPerBlock: Int {
        let targetColumns = 512
        let wanted = (targetColumns + window.outputPlane - 1) / window.outputPlane
        let perWorker = (batch + Parallel.threadCount - 1) / Parallel.threadCount
        return Swift.max(1, Swift.min(wanted, perWorker))
    }
}

/// Runs `body(firstSample, sampleCount, gemmInParallel)` over blocks of samples:
/// blocks in parallel (each worker its own GEMMs) when there are enough of
/// them, otherwise one block at a time with each GEMM split across workers.
/// `body` also gets the worker index for per-worker accumulators.
private func forEachSampleBlock(
    _ geometry: ConvolutionGeometry,
    _ body: (_ worker: Int, _ blocks: Range<Int>, _ samplesPerBlock: Int, _ parallelGEMM: Bool) -> Void
) -> Int {
    let perBlock = geometry.samplesPerBlock
    let blocks = (geometry.batch + perBlock - 1) / perBlock
    if blocks >= Parallel.threadCount {
        let workers = Parallel.rangeCount(blocks)
        Parallel.forEach(workers) { worker in
            body(worker, Parallel.range(worker, of: workers, total: blocks), perBlock, false)
        }
        return workers
    }
    body(0, 0..<blocks, perBlock, true)
    return 1
}

/// One GEMM, on this thread or split across the workers.
@inline(__always)
private func gemm(
    parallel: Bool, transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    if parallel {
        GEMM.parallelMultiply(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    } else {
        GEMM.multiply(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

/// Copies the group-`group` planes of `count` samples of an NCHW tensor with
/// `channels` channels into a `[groupChannels, count * plane]` matrix (`pack`),
/// or back (`unpack`).
private func repack(
    _ tensor: UnsafeMutablePointer<Float>, matrix: UnsafeMutablePointer<Float>, firstSample: Int, count: Int,
    channels: Int, group: Int, groupChannels: Int, plane: Int, toMatrix: Bool
) {
    let width = count * plane
    for sample in 0..<count {
        for channel in 0..<groupChannels {
            let planeStart = tensor + ((firstSample + sample) * channels + group * groupChannels + channel) * plane
            let row = matrix + channel * width + sample * plane
            if toMatrix {
                row.update(from: planeStart, count: plane)
            } else {
                planeStart.update(from: row, count: plane)
            }
        }
    }
}

extension Tensor {
    /// 2-D convolution (cross-correlation, as `torch.nn.functional.conv2d`).
    ///
    /// - Parameters:
    ///   - input: `[N, C, H, W]`.
    ///   - weight: `[O, C/groups, KH, KW]`.
    ///   - bias: `[O]`, or `nil`.
    /// - Returns: `[N, O, OH, OW]`.
    public static func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, options: ConvolutionOptions = .init()) -> Tensor {
        let geometry = ConvolutionGeometry(inputShape: input.shape, weightShape: weight.shape, options: options)
        if let bias {
            precondition(bias.shape == [geometry.outputChannels], "conv2d: bias must be [\(geometry.outputChannels)], got \(bias.shape)")
        }
        let output = Tensor.empty(geometry.outputShape)
        let x = input.storage.base, w = weight.storage.base, y = output.storage.base
        let biasPointer = bias.map { UnsafePointer($0.storage.base) }
        if geometry.isDepthwise {
            let planes = geometry.batch * geometry.inputChannels
            Parallel.forRanges(planes) { _, range in
                fer_depthwise_forward(
                    x, w, biasPointer, y, geometry.inputChannels, geometry.groupOutputChannels, geometry.window.raw,
                    range.lowerBound, range.upperBound)
            }
            return withExtendedLifetime((input, weight, bias)) { output }
        }
        let plane = geometry.window.outputPlane, inputPlane = geometry.window.inputPlane
        let rows = geometry.columnRows, groupOut = geometry.groupOutputChannels, groupIn = geometry.groupInputChannels
        _ = forEachSampleBlock(geometry) { _, blocks, perBlock, parallelGEMM in
            let columnsCapacity = rows * perBlock * plane
            let outputCapacity = perBlock > 1 ? groupOut * perBlock * plane : 0
            ScratchPool.shared.withBuffer(count: columnsCapacity + outputCapacity) { scratch in
                for block in blocks {
                    let first = block * perBlock
                    let count = Swift.min(perBlock, geometry.batch - first)
                    let width = count * plane
                    for group in 0..<geometry.groups {
                        let columns: UnsafePointer<Float>
                        if geometry.isPointwise && count == 1 {
                            columns = UnsafePointer(x + (first * geometry.inputChannels + group * groupIn) * inputPlane)
                        } else {
                            for sample in 0..<count {
                                fer_im2col(
                                    x + ((first + sample) * geometry.inputChannels + group * groupIn) * inputPlane,
                                    groupIn, geometry.window.raw, scratch + sample * plane, width)
                            }
                            columns = UnsafePointer(scratch)
                        }
                        let groupWeight = w + group * groupOut * rows
                        if count == 1 {
                            gemm(parallel: parallelGEMM, m: groupOut, n: plane, k: rows, a: groupWeight, lda: rows,
                                 b: columns, ldb: plane, c: y + (first * geometry.outputChannels + group * groupOut) * plane,
                                 ldc: plane)
                        } else {
                            let product = scratch + columnsCapacity
                            gemm(parallel: parallelGEMM, m: groupOut, n: width, k: rows, a: groupWeight, lda: rows,
                                 b: columns, ldb: width, c: product, ldc: width)
                            repack(y, matrix: product, firstSample: first, count: count, channels: geometry.outputChannels,
                                   group: group, groupChannels: groupOut, plane: plane, toMatrix: false)
                        }
                    }
                    if let biasPointer {
                        for sample in first..<(first + count) {
                            for channel in 0..<geometry.outputChannels {
                                let start = y + (sample * geometry.outputChannels + channel) * plane
                                let value = biasPointer[channel]
                                for index in 0..<plane { start[index] += value }
                            }
                        }
                    }
                }
            }
        }
        return withExtendedLifetime((input, weight, bias)) { output }
    }

    /// Gradient of `conv2d` with respect to its input.
    ///
    /// - Parameters:
    ///   - outputGradient: `[N, O, OH, OW]`.
    ///   - weight: `[O, C/groups, KH, KW]`.
    ///   - inputShape: `[N, C, H, W]` of the forward input.
    public static func conv2dBackwardInput(
        _ outputGradient: Tensor, weight: Tensor, inputShape: [Int], options: ConvolutionOptions = .init()
    ) -> Tensor {
        let geometry = ConvolutionGeometry(inputShape: inputShape, weightShape: weight.shape, options: options)
        precondition(
            outputGradient.shape == geometry.outputShape,
            "conv2dBackwardInput: output gradient \(outputGradient.shape) does not match output shape \(geometry.outputShape)")
        let inputGradient = Tensor.empty(inputShape)
        let dy = outputGradient.storage.base, w = weight.storage.base, dx = inputGradient.storage.base
        if geometry.isDepthwise {
            Parallel.forRanges(geometry.batch * geometry.inputChannels) { _, range in
                fer_depthwise_backward_input(
                    dy, w, dx, geometry.inputChannels, geometry.groupOutputChannels, geometry.window.raw,
                    range.lowerBound, range.upperBound)
            }
            return withExtendedLifetime((outputGradient, weight)) { inputGradient }
        }
        let plane = geometry.window.outputPlane, inputPlane = geometry.window.inputPlane
        let rows = geometry.columnRows, groupOut = geometry.groupOutputChannels, groupIn = geometry.groupInputChannels
        _ = forEachSampleBlock(geometry) { _, blocks, perBlock, parallelGEMM in
            let columnsCapacity = rows * perBlock * plane
            let packedCapacity = perBlock > 1 ? groupOut * perBlock * plane : 0
            ScratchPool.shared.withBuffer(count: columnsCapacity + packedCapacity) { scratch in
                for block in blocks {
                    let first = block * perBlock
                    let count = Swift.min(perBlock, geometry.batch - first)
                    let width = count * plane
                    let firstInput = dx + first * geometry.inputChannels * inputPlane
                    if !(geometry.isPointwise && count == 1) {
                        firstInput.initialize(repeating: 0, count: count * geometry.inputChannels * inputPlane)
                    }
                    for group in 0..<geometry.groups {
                        let upstream: UnsafePointer<Float>
                        if count == 1 {
                            upstream = UnsafePointer(dy + (first * geometry.outputChannels + group * groupOut) * plane)
                        } else {
                            repack(dy, matrix: scratch + columnsCapacity, firstSample: first, count: count,
                                   channels: geometry.outputChannels, group: group, groupChannels: groupOut,
                                   plane: plane, toMatrix: true)
                            upstream = UnsafePointer(scratch + columnsCapacity)
                        }
                        let groupWeight = w + group * groupOut * rows
                        if geometry.isPointwise && count == 1 {
                            gemm(parallel: parallelGEMM, transposeA: true, m: rows, n: plane, k: groupOut,
                                 a: groupWeight, lda: rows, b: upstream, ldb: plane,
                                 c: firstInput + group * groupIn * inputPlane, ldc: plane)
                            continue
                        }
                        gemm(parallel: parallelGEMM, transposeA: true, m: rows, n: width, k: groupOut,
                             a: groupWeight, lda: rows, b: upstream, ldb: width, c: scratch, ldc: width)
                        for sample in 0..<count {
                            fer_col2im(
                                scratch + sample * plane, width, groupIn, geometry.window.raw,
                                dx + ((first + sample) * geometry.inputChannels + group * groupIn) * inputPlane)
                        }
                    }
                }
            }
        }
        return withExtendedLifetime((outputGradient, weight)) { inputGradient }
    }

    /// Gradient of `conv2d` with respect to its weight.
    ///
    /// - Parameters:
    ///   - outputGradient: `[N, O, OH, OW]`.
    ///   - input: the forward input `[N, C, H, W]`.
    ///   - weightShape: `[O, C/groups, KH, KW]`.
    public static func conv2dBackwardWeight(
        _ outputGradient: Tensor, input: Tensor, weightShape: [Int], options: ConvolutionOptions = .init()
    ) -> Tensor {
        let geometry = ConvolutionGeometry(inputShape: input.shape, weightShape: weightShape, options: options)
        precondition(
            outputGradient.shape == geometry.outputShape,
            "conv2dBackwardWeight: output gradient \(outputGradient.shape) does not match output shape \(geometry.outputShape)")
        let weightGradient = Tensor.empty(weightShape)
        let dy = outputGradient.storage.base, x = input.storage.base, dw = weightGradient.storage.base
        if geometry.isDepthwise {
            Parallel.forRanges(geometry.inputChannels) { _, range in
                fer_depthwise_backward_weight(
                    dy, x, dw, geometry.batch, geometry.inputChannels, geometry.groupOutputChannels,
                    geometry.window.raw, range.lowerBound, range.upperBound)
            }
            return withExtendedLifetime((outputGradient, input)) { weightGradient }
        }
        let plane = geometry.window.outputPlane, inputPlane = geometry.window.inputPlane
        let rows = geometry.columnRows, groupOut = geometry.groupOutputChannels, groupIn = geometry.groupInputChannels
        let weightCount = weightGradient.count
        let workerCapacity = Parallel.threadCount
        ScratchPool.shared.withBuffer(count: (workerCapacity - 1) * weightCount) { partials in
            let workers = forEachSampleBlock(geometry) { worker, blocks, perBlock, parallelGEMM in
                let target = worker == 0 ? dw : partials + (worker - 1) * weightCount
                let columnsCapacity = rows * perBlock * plane
                let packedCapacity = perBlock > 1 ? groupOut * perBlock * plane : 0
                ScratchPool.shared.withBuffer(count: columnsCapacity + packedCapacity) { scratch in
                    for (position, block) in blocks.enumerated() {
                        let first = block * perBlock
                        let count = Swift.min(perBlock, geometry.batch - first)
                        let width = count * plane
                        for group in 0..<geometry.groups {
                            let upstream: UnsafePointer<Float>
                            if count == 1 {
                                upstream = UnsafePointer(dy + (first * geometry.outputChannels + group * groupOut) * plane)
                            } else {
                                repack(dy, matrix: scratch + columnsCapacity, firstSample: first, count: count,
                                       channels: geometry.outputChannels, group: group, groupChannels: groupOut,
                                       plane: plane, toMatrix: true)
                                upstream = UnsafePointer(scratch + columnsCapacity)
                            }
                            let columns: UnsafePointer<Float>
                            if geometry.isPointwise && count == 1 {
                                columns = UnsafePointer(x + (first * geometry.inputChannels + group * groupIn) * inputPlane)
                            } else {
                                for sample in 0..<count {
                                    fer_im2col(
                                        x + ((first + sample) * geometry.inputChannels + group * groupIn) * inputPlane,
                                        groupIn, geometry.window.raw, scratch + sample * plane, width)
                                }
                                columns = UnsafePointer(scratch)
                            }
                            gemm(parallel: parallelGEMM, transposeB: true, m: groupOut, n: rows, k: width,
                                 a: upstream, lda: width, b: columns, ldb: width, beta: position == 0 ? 0 : 1,
                                 c: target + group * groupOut * rows, ldc: rows)
                        }
                    }
                }
            }
            for worker in 1..<Swift.max(1, workers) {
                let partial = partials + (worker - 1) * weightCount
                for index in 0..<weightCount { dw[index] += partial[index] }
            }
        }
        return withExtendedLifetime((outputGradient, input)) { weightGradient }
    }

    /// Gradient of `conv2d` (or any per-channel bias on NCHW) with respect to
    /// its bias: the sum of `outputGradient` over batch and space, shape `[O]`.
    public static func conv2dBackwardBias(_ outputGradient: Tensor) -> Tensor {
        precondition(outputGradient.rank >= 2, "conv2dBackwardBias: need [N, O, ...], got \(outputGradient.shape)")
        let batch = outputGradient.shape[0], channels = outputGradient.shape[1]
        let plane = outputGradient.shape.dropFirst(2).reduce(1, *)
        let result = Tensor.zeros([channels])
        let dy = outputGradient.storage.base, db = result.storage.base
        Parallel.forRanges(channels, minimumChunk: Swift.max(1, 4096 / Swift.max(1, plane * batch))) { _, range in
            for channel in range {
                var total: Float = 0
                for sample in 0..<batch {
                    let start = dy + (sample * channels + channel) * plane
                    var partial: Float = 0
                    for index in 0..<plane { partial += start[index] }
                    total += partial
                }
                db[channel] = total
            }
        }
        return withExtendedLifetime(outputGradient) { result }
    }
}
