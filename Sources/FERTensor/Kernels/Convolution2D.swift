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
    /// Whether this pass's GEMMs run on FERKit's packed kernel (else
    /// OpenBLAS, with plain operands); see `GEMM.packedKernelSuits(depth:)`.
    var usesPackedKernel = GEMM.hasPackedKernel
    /// The kernel of this pass's GEMMs.
    var gemmKernel: GEMM.Kernel { usesPackedKernel ? .packed : .openBLAS }

    var groupInputChannels: Int { inputChannels / groups }
    var groupOutputChannels: Int { outputChannels / groups }
    /// Rows of the im2col matrix of one group: `C/groups * KH * KW`.
    var columnRows: Int { groupInputChannels * window.taps }

    /// The im2col rows that one lowering and GEMM step handles, so that the
    /// columns are read again while they are in the L2 cache: with FERKit's
    /// kernel, slices as deep as its packed blocks (256 rows), or with
    /// `wideSlices` as many such blocks as fit one core's L2 cache in `width`
    /// columns (for weight gradients, whose slices each pack `dY` again;
    /// input gradients pack it again too but measured faster with single
    /// blocks); all rows at once with OpenBLAS.
    func columnRowsPerSlice(width: Int, wideSlices: Bool) -> Int {
        guard usesPackedKernel else { return columnRows }
        let l2Floats = BLASRuntime.l2CacheBytes / MemoryLayout<Float>.size
        let blocks = wideSlices ? Swift.max(1, l2Floats / (256 * width)) : 1
        return Swift.min(columnRows, 256 * blocks)
    }
    var inputShape: [Int] { [batch, inputChannels, window.raw.in_height, window.raw.in_width] }
    var outputShape: [Int] { [batch, outputChannels, window.raw.out_height, window.raw.out_width] }
    var weightShape: [Int] { [outputChannels, groupInputChannels, window.raw.kernel_height, window.raw.kernel_width] }

    /// A 1x1 convolution with stride 1 and no padding: the input already is the column matrix.
    var isPointwise: Bool {
        let raw = window.raw
        return raw.kernel_height == 1 && raw.kernel_width == 1 && raw.stride_height == 1 && raw.stride_width == 1
            && raw.pad_height == 0 && raw.pad_width == 0
    }

    /// Whether the weight gradient is computed transposed (`columns · dYᵀ`,
    /// then transposed) on FERKit's kernel: when a group has from 32 output
    /// channels up to 4 panels of the kernel's columns (192 with AVX-512, 64
    /// with AVX2), the kernel reads the column matrix in place instead of
    /// transposing it into packed panels, and only `dY` is transposed (in a C
    /// harness, the stem's product 80-89 -> 100 GFLOP/s, its 147 rows no
    /// longer leaving vector lanes empty; layer1's slices 92 -> 105; with
    /// AVX2, the stem's 75 -> 88). Needs
    /// one sample per block, so that `dY` is a plain matrix.
    func weightGradientIsTransposed(samplesPerBlock: Int) -> Bool {
        usesPackedKernel && samplesPerBlock == 1 && (32...4 * GEMM.packedPanelColumns).contains(groupOutputChannels)
    }

    /// Depthwise: one input channel per group (weight `[C*m, 1, KH, KW]`).
    var isDepthwise: Bool { groups > 1 && groups == inputChannels }

    /// Whether GEMMs read and write the output planes of several samples in
    /// place (FERKit's packed kernel takes them as one matrix of blocked
    /// columns) rather than through a packed copy.
    var gemmsUseOutputPlanesInPlace: Bool { usesPackedKernel && window.outputPlane >= 16 }

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

    /// How many samples share one GEMM so that its column count reaches
    /// `targetColumns` (small feature maps share GEMMs). With `balanced`, the
    /// number of blocks is rounded to a multiple of the worker count so that
    /// every worker gets the same amount of work.
    func samplesPerBlock(targetColumns: Int, balanced: Bool) -> Int {
        let wanted = Swift.max(1, (targetColumns + window.outputPlane - 1) / window.outputPlane)
        var blocks = (batch + wanted - 1) / wanted
        if balanced {
            let workers = Parallel.threadCount
            blocks = ((blocks + workers - 1) / workers) * workers
        }
        return Swift.max(1, (batch + blocks - 1) / blocks)
    }

    /// Samples per block of a forward pass: enough for about 512 GEMM
    /// columns, except that GEMMs on OpenBLAS (forward products deeper than
    /// 256 on AVX2 CPUs) take one sample when its plane alone has 128
    /// columns or more, so that the column matrix OpenBLAS packs from stays
    /// near the L2 cache (ResNet18's layer2 at 100x100: 390-780 KB per
    /// sample instead of 1.6-3.1 MB per 4; forward passes 0.62 -> 0.75 and
    /// 0.82 -> 0.88 of sgemm, medians of 7 alternating rounds).
    var forwardSamplesPerBlock: Int {
        if !usesPackedKernel && window.outputPlane >= 128 { return 1 }
        return samplesPerBlock(targetColumns: 512, balanced: true)
    }

    /// Whether blocks of `perBlock` samples run one per worker (each with
    /// single-threaded GEMMs) rather than one at a time with parallel GEMMs.
    func blocksRunInParallel(samplesPerBlock perBlock: Int) -> Bool {
        (batch + perBlock - 1) / perBlock >= Parallel.threadCount
    }
}

/// Consecutive samples that share one GEMM per group, with the scratch
/// memory of the worker that processes them.
private struct SampleBlock {
    let geometry: ConvolutionGeometry
    /// First sample of the block.
    let first: Int
    /// Number of samples in the block.
    let count: Int
    /// Scratch for `[rowsPerSlice, width]` rows of the column matrix.
    let columns: UnsafeMutablePointer<Float>
    /// Rows of the column matrix that one lowering and GEMM step handles.
    let rowsPerSlice: Int
    /// Scratch for a packed `[O/groups, width]` matrix of output planes
    /// (unused when the GEMMs take the planes in place).
    let packed: UnsafeMutablePointer<Float>
    /// Whether this block has all workers to itself (one block at a time).
    let ownsAllWorkers: Bool
    /// The geometry's lowering plan (`fer_lowering_plan_init`), shared by all blocks.
    let loweringPlan: UnsafeRawPointer

    /// Columns of the GEMMs: output positions of all samples in the block.
    var width: Int { count * geometry.window.outputPlane }

    /// A 1x1 stride-1 convolution of one sample reads its input planes as the column matrix.
    var readsInputDirectly: Bool { geometry.isPointwise && count == 1 }

    /// The row ranges of the column matrix, `rowsPerSlice` at a time (lazily: no array per block).
    var columnRowSlices: some Sequence<Range<Int>> {
        let rows = geometry.columnRows, step = rowsPerSlice
        return stride(from: 0, to: rows, by: step).lazy.map { $0..<Swift.min($0 + step, rows) }
    }

    /// Scratch floats a worker needs for blocks of `samples` samples.
    static func scratchCount(_ geometry: ConvolutionGeometry, samples: Int, rowsPerSlice: Int) -> Int {
        let width = samples * geometry.window.outputPlane
        let packsOutputs = samples > 1 && !geometry.gemmsUseOutputPlanesInPlace
        return rowsPerSlice * width + (packsOutputs ? geometry.groupOutputChannels * width : 0)
    }

    /// Rows `rows` of the im2col matrix of group `group`'s input channels
    /// (`[C/groups * KH * KW, width]` in all), `width` apart.
    func inputColumns(_ x: UnsafeMutablePointer<Float>, group: Int, rows: Range<Int>) -> UnsafePointer<Float> {
        if readsInputDirectly { return UnsafePointer(inputPlanes(x, group: group) + rows.lowerBound * width) }
        let lower = { (sample: Int) in
            fer_im2col(
                inputPlanes(x, group: group, sample: sample), rows.lowerBound, rows.count, geometry.window.raw,
                loweringPlan, columns + sample * geometry.window.outputPlane, width)
        }
        if ownsAllWorkers {
            Parallel.forEach(count, lower)
        } else {
            for sample in 0..<count { lower(sample) }
        }
        return UnsafePointer(columns)
    }

    /// The first input plane of group `group` of the block's `sample`-th sample.
    func inputPlanes(_ x: UnsafeMutablePointer<Float>, group: Int, sample: Int = 0) -> UnsafeMutablePointer<Float> {
        x + ((first + sample) * geometry.inputChannels + group * geometry.groupInputChannels) * geometry.window.inputPlane
    }

    /// Whether the output planes of the block's samples go through the packed scratch.
    private var packsOutputs: Bool { count > 1 && !geometry.gemmsUseOutputPlanesInPlace }

    /// Group `group`'s output planes as a `[O/groups, width]` GEMM operand:
    /// the tensor itself (one sample, or several as blocked columns), else the
    /// packed scratch (filled from the tensor when `copyingIn`).
    func outputMatrix(
        _ tensor: UnsafeMutablePointer<Float>, group: Int, copyingIn: Bool
    ) -> (UnsafeMutablePointer<Float>, fer_matrix_layout) {
        let plane = geometry.window.outputPlane
        if count == 1 { return (outputPlanes(tensor, group: group, sample: 0), .plain(plane)) }
        if !packsOutputs {
            return (outputPlanes(tensor, group: group, sample: 0),
                    .samplePlanes(plane: plane, sampleStride: geometry.outputChannels * plane))
        }
        if copyingIn { repack(tensor, group: group, toMatrix: true) }
        return (packed, .plain(width))
    }

    /// Writes a matrix from `outputMatrix(copyingIn: false)` back into the tensor.
    func storeOutputMatrix(into tensor: UnsafeMutablePointer<Float>, group: Int) {
        if packsOutputs { repack(tensor, group: group, toMatrix: false) }
    }

    private func outputPlanes(_ tensor: UnsafeMutablePointer<Float>, group: Int, sample: Int) -> UnsafeMutablePointer<Float> {
        tensor + ((first + sample) * geometry.outputChannels + group * geometry.groupOutputChannels) * geometry.window.outputPlane
    }

    private func repack(_ tensor: UnsafeMutablePointer<Float>, group: Int, toMatrix: Bool) {
        let plane = geometry.window.outputPlane
        for sample in 0..<count {
            let planes = outputPlanes(tensor, group: group, sample: sample)
            for channel in 0..<geometry.groupOutputChannels {
                let row = packed + channel * width + sample * plane
                if toMatrix {
                    row.update(from: planes + channel * plane, count: plane)
                } else {
                    (planes + channel * plane).update(from: row, count: plane)
                }
            }
        }
    }
}

/// Runs `body(worker, block, position, parallelGEMM)` for every block of
/// `perBlock` samples: blocks in parallel (each worker its own single-threaded
/// GEMMs) when there are at least as many as workers, otherwise one block at
/// a time with its im2col and GEMMs split across the workers (unless
/// `splittingGEMMs` is false). `position` counts the worker's blocks from 0.
/// Blocks lower their columns in slices (see `columnRowsPerSlice`, with
/// `wideSlices`). Returns how many workers ran.
@discardableResult
private func forEachSampleBlock(
    _ geometry: ConvolutionGeometry, samplesPerBlock perBlock: Int, splittingGEMMs: Bool = true, wideSlices: Bool,
    _ body: (_ worker: Int, _ block: SampleBlock, _ position: Int, _ parallelGEMM: Bool) -> Void
) -> Int {
    let blocks = (geometry.batch + perBlock - 1) / perBlock
    let parallelBlocks = !splittingGEMMs || geometry.blocksRunInParallel(samplesPerBlock: perBlock)
    let workers = parallelBlocks ? Parallel.rangeCount(blocks) : 1
    let rowsPerSlice = geometry.columnRowsPerSlice(width: perBlock * geometry.window.outputPlane, wideSlices: wideSlices)
    let columnsCount = rowsPerSlice * perBlock * geometry.window.outputPlane
    let window = geometry.window.raw
    withUnsafeTemporaryAllocation(byteCount: fer_lowering_plan_size(window), alignment: 16) { plan in
        fer_lowering_plan_init(window, plan.baseAddress)
        let loweringPlan = UnsafeRawPointer(plan.baseAddress!)
        Parallel.forEach(workers) { worker in
            let scratchCount = SampleBlock.scratchCount(geometry, samples: perBlock, rowsPerSlice: rowsPerSlice)
            ScratchPool.shared.withBuffer(count: scratchCount) { scratch in
                for (position, block) in Parallel.range(worker, of: workers, total: blocks).enumerated() {
                    let first = block * perBlock
                    let sampleBlock = SampleBlock(
                        geometry: geometry, first: first, count: Swift.min(perBlock, geometry.batch - first),
                        columns: scratch, rowsPerSlice: rowsPerSlice, packed: scratch + columnsCount,
                        ownsAllWorkers: !parallelBlocks,
                        loweringPlan: loweringPlan)
                    body(worker, sampleBlock, position, !parallelBlocks)
                }
            }
        }
    }
    return workers
}

/// One GEMM, on this thread or split across the workers, with `kernel`
/// (blocked operands need FERKit's packed kernel).
@inline(__always)
private func gemm(
    _ kernel: GEMM.Kernel, parallel: Bool, transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, aLayout: fer_matrix_layout, b: UnsafePointer<Float>, bLayout: fer_matrix_layout,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, cLayout: fer_matrix_layout
) {
    if aLayout.isBlocked || bLayout.isBlocked || cLayout.isBlocked {
        GEMM.packedMultiply(
            parallel: parallel, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
            a: a, aLayout: aLayout, b: b, bLayout: bLayout, beta: beta, c: c, cLayout: cLayout)
        return
    }
    let lda = aLayout.ld, ldb = bLayout.ld, ldc = cLayout.ld
    if parallel {
        GEMM.parallelMultiply(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, kernel: kernel)
    } else {
        GEMM.multiply(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, kernel: kernel)
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
        conv2d(input, weight: weight, options: options, epilogue: bias.map(ConvolutionEpilogue.init(bias:)))
    }

    /// 2-D convolution followed by `epilogue` (per-channel affine map,
    /// residual, ReLU), applied to each block of samples right after its
    /// GEMMs, while the block's output is in cache.
    ///
    /// - Parameters:
    ///   - input: `[N, C, H, W]`.
    ///   - weight: `[O, C/groups, KH, KW]`.
    ///   - epilogue: what to apply to the output, or `nil`.
    /// - Returns: `[N, O, OH, OW]`.
    public static func conv2d(
        _ input: Tensor, weight: Tensor, options: ConvolutionOptions = .init(), epilogue: ConvolutionEpilogue?
    ) -> Tensor {
        var geometry = ConvolutionGeometry(inputShape: input.shape, weightShape: weight.shape, options: options)
        geometry.usesPackedKernel = GEMM.packedKernelSuits(depth: geometry.columnRows)
        epilogue?.validate(outputShape: geometry.outputShape, operation: "conv2d")
        let output = Tensor.empty(geometry.outputShape)
        let x = input.storage.base, w = weight.storage.base, y = output.storage.base
        let channels = geometry.outputChannels, spatial = geometry.window.outputPlane
        var epilogueApplied = false
        if geometry.isDepthwise {
            Parallel.forRanges(geometry.batch * geometry.inputChannels) { _, range in
                fer_depthwise_forward(
                    x, w, y, geometry.inputChannels, geometry.groupOutputChannels, geometry.window.raw,
                    range.lowerBound, range.upperBound)
            }
        } else {
            let rows = geometry.columnRows, groupOut = geometry.groupOutputChannels
            let invariant = BatchInvariance.isEnabled
            let perBlock = invariant ? 1 : geometry.forwardSamplesPerBlock
            forEachSampleBlock(geometry, samplesPerBlock: perBlock, splittingGEMMs: !invariant, wideSlices: false) {
                _, block, _, parallelGEMM in
                for group in 0..<geometry.groups {
                    let (product, layout) = block.outputMatrix(y, group: group, copyingIn: false)
                    for slice in block.columnRowSlices {
                        let columns = block.inputColumns(x, group: group, rows: slice)
                        gemm(geometry.gemmKernel, parallel: parallelGEMM, m: groupOut, n: block.width, k: slice.count,
                             a: w + group * groupOut * rows + slice.lowerBound, aLayout: .plain(rows),
                             b: columns, bLayout: .plain(block.width), beta: slice.lowerBound == 0 ? 0 : 1,
                             c: product, cLayout: layout)
                    }
                    block.storeOutputMatrix(into: y, group: group)
                }
                if !parallelGEMM, let epilogue {
                    let planes = (block.first * channels)..<((block.first + block.count) * channels)
                    epilogue.apply(to: y, channels: channels, spatial: spatial, planes: planes)
                }
            }
            epilogueApplied = invariant || geometry.blocksRunInParallel(samplesPerBlock: perBlock)
        }
        if let epilogue, !epilogueApplied {
            Parallel.forRanges(geometry.batch * channels, minimumChunk: planeChunk(spatial)) { _, range in
                epilogue.apply(to: y, channels: channels, spatial: spatial, planes: range)
            }
        }
        withExtendedLifetime((input, weight, epilogue)) {}  // the kernels above read their raw pointers
        return output
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
        if let adjoint = geometry.inputGradientConvolution {
            let flipped = flippedAdjointKernel(weight, groups: geometry.groups)
            return conv2d(outputGradient, weight: flipped, options: adjoint)
        }
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
        let rows = geometry.columnRows, groupOut = geometry.groupOutputChannels
        let perBlock = geometry.samplesPerBlock(targetColumns: 512, balanced: true)
        forEachSampleBlock(geometry, samplesPerBlock: perBlock, wideSlices: false) { _, block, _, parallelGEMM in
            for group in 0..<geometry.groups {
                let (upstream, layout) = block.outputMatrix(dy, group: group, copyingIn: true)
                for slice in block.columnRowSlices {
                    let target = block.readsInputDirectly
                        ? block.inputPlanes(dx, group: group) + slice.lowerBound * block.width : block.columns
                    gemm(geometry.gemmKernel, parallel: parallelGEMM, transposeA: true,
                         m: slice.count, n: block.width, k: groupOut,
                         a: w + group * groupOut * rows + slice.lowerBound, aLayout: .plain(rows), b: upstream,
                         bLayout: layout, c: target, cLayout: .plain(block.width))
                    if block.readsInputDirectly { continue }
                    for sample in 0..<block.count {
                        fer_col2im(block.columns + sample * geometry.window.outputPlane, block.width, slice.lowerBound,
                                   slice.count, geometry.window.raw, block.loweringPlan,
                                   block.inputPlanes(dx, group: group, sample: sample))
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
        let rows = geometry.columnRows, groupOut = geometry.groupOutputChannels, weightCount = weightGradient.count
        let perBlock = geometry.samplesPerBlock(targetColumns: 512, balanced: true)
        if geometry.weightGradientIsTransposed(samplesPerBlock: perBlock) {
            transposedWeightGradient(geometry, dy: dy, x: x, into: dw)
            return withExtendedLifetime((outputGradient, input)) { weightGradient }
        }
        // Workers after the first accumulate into partial sums, added at the end.
        ScratchPool.shared.withBuffer(count: (Parallel.threadCount - 1) * weightCount) { partials in
            let workers = forEachSampleBlock(geometry, samplesPerBlock: perBlock, wideSlices: true) {
                worker, block, position, parallelGEMM in
                let target = worker == 0 ? dw : partials + (worker - 1) * weightCount
                for group in 0..<geometry.groups {
                    addWeightGradientProducts(
                        of: block, group: group, dy: dy, x: x, beta: position == 0 ? 0 : 1, parallelGEMM: parallelGEMM,
                        into: target + group * groupOut * rows)
                }
            }
            guard workers > 1 else { return }
            Parallel.forRanges(weightCount, minimumChunk: 1 << 14) { _, range in
                for worker in 1..<workers {
                    let partial = partials + (worker - 1) * weightCount
                    for index in range { dw[index] += partial[index] }
                }
            }
        }
        return withExtendedLifetime((outputGradient, input)) { weightGradient }
    }

    /// `target = dY · columnsᵀ + beta · target` for group `group` of `block`
    /// (`target`: the group's `[O/groups, C/groups * KH * KW]` rows of `dW`),
    /// one slice of column rows at a time. `dY`, the left operand of every
    /// slice's product, is packed once when there are several slices.
    private static func addWeightGradientProducts(
        of block: SampleBlock, group: Int, dy: UnsafeMutablePointer<Float>, x: UnsafeMutablePointer<Float>,
        beta: Float, parallelGEMM: Bool, into target: UnsafeMutablePointer<Float>
    ) {
        let rows = block.geometry.columnRows, groupOut = block.geometry.groupOutputChannels
        let (upstream, layout) = block.outputMatrix(dy, group: group, copyingIn: true)
        func multiplySlices(packedUpstream: UnsafePointer<Float>?) {
            for slice in block.columnRowSlices {
                let columns = block.inputColumns(x, group: group, rows: slice)
                if let packedUpstream {
                    GEMM.packedMultiply(
                        packedA: packedUpstream, transposeB: true, m: groupOut, n: slice.count, k: block.width,
                        b: columns, bLayout: .plain(block.width), beta: beta, c: target + slice.lowerBound,
                        cLayout: .plain(rows))
                } else {
                    gemm(block.geometry.gemmKernel, parallel: parallelGEMM, transposeB: true, m: groupOut, n: slice.count,
                         k: block.width,
                         a: upstream, aLayout: layout, b: columns, bLayout: .plain(block.width), beta: beta,
                         c: target + slice.lowerBound, cLayout: .plain(rows))
                }
            }
        }
        guard !parallelGEMM && block.geometry.usesPackedKernel && rows > block.rowsPerSlice else {
            return multiplySlices(packedUpstream: nil)
        }
        ScratchPool.shared.withBuffer(count: GEMM.packedACount(m: groupOut, k: block.width)) { packedUpstream in
            GEMM.packA(transposeA: false, m: groupOut, k: block.width, a: upstream, aLayout: layout, into: packedUpstream)
            multiplySlices(packedUpstream: packedUpstream)
        }
    }

    /// The weight gradient computed transposed, one sample per block: each
    /// worker sums `columns · dYᵀ` (`[C/groups * KH * KW, O/groups]` per
    /// group) into its own partial, and the partials are added and
    /// transposed into `dw` at the end.
    private static func transposedWeightGradient(
        _ geometry: ConvolutionGeometry, dy: UnsafeMutablePointer<Float>, x: UnsafeMutablePointer<Float>,
        into dw: UnsafeMutablePointer<Float>
    ) {
        let rows = geometry.columnRows, groupOut = geometry.groupOutputChannels
        let weightCount = geometry.outputChannels * rows
        ScratchPool.shared.withBuffer(count: Parallel.threadCount * weightCount) { partials in
            let workers = forEachSampleBlock(geometry, samplesPerBlock: 1, wideSlices: true) {
                worker, block, position, parallelGEMM in
                let target = partials + worker * weightCount
                for group in 0..<geometry.groups {
                    let (upstream, layout) = block.outputMatrix(dy, group: group, copyingIn: true)
                    for slice in block.columnRowSlices {
                        let columns = block.inputColumns(x, group: group, rows: slice)
                        gemm(geometry.gemmKernel, parallel: parallelGEMM, transposeB: true,
                             m: slice.count, n: groupOut, k: block.width,
                             a: columns, aLayout: .plain(block.width), b: upstream, bLayout: layout,
                             beta: position == 0 ? 0 : 1,
                             c: target + (group * rows + slice.lowerBound) * groupOut, cLayout: .plain(groupOut))
                    }
                }
            }
            Parallel.forRanges(weightCount, minimumChunk: 1 << 12) { _, range in
                for index in range {
                    // dw[group][o][r] from partial[group][r][o].
                    let group = index / (groupOut * rows), o = index / rows % groupOut, r = index % rows
                    let source = (group * rows + r) * groupOut + o
                    var sum: Float = 0
                    for worker in 0..<workers { sum += partials[worker * weightCount + source] }
                    dw[index] = sum
                }
            }
        }
    }

    /// Gradient of `conv2d` (or any per-channel bias on NCHW) with respect to
    /// its bias: the sum of `outputGradient` over batch and space, shape `[O]`.
    public static func conv2dBackwardBias(_ outputGradient: Tensor) -> Tensor {
        precondition(outputGradient.rank >= 2, "conv2dBackwardBias: need [N, O, ...], got \(outputGradient.shape)")
        return outputGradient.sum(alongAxes: [0] + Array(2..<outputGradient.rank))
    }

    /// Adds a per-channel bias `[O]` to `[N, O, ...]` in place.
    static func addChannelBias(_ bias: Tensor, to output: inout Tensor, operation: String) {
        let channels = output.shape[1]
        precondition(bias.shape == [channels], "\(operation): bias must be [\(channels)], got \(bias.shape)")
        output += bias.reshaped([1, channels] + [Int](repeating: 1, count: output.rank - 2))
    }
}
