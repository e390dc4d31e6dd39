import CFERKernels

/// A pair of extents along the height and width axes (kernel size, stride,
/// padding, dilation), written as an integer when both are equal: `stride: 2`.
public struct Size2D: Equatable, Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// Extent along the height axis.
    public var height: Int
    /// Extent along the width axis.
    public var width: Int

    /// A pair with separate height and width extents.
    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// The same extent on both axes.
    public init(_ both: Int) {
        self.init(height: both, width: both)
    }

    /// The same extent on both axes, from an integer literal.
    public init(integerLiteral value: Int) {
        self.init(value)
    }

    public var description: String { height == width ? "\(height)" : "(\(height), \(width))" }
}

/// Spatial output size of a sliding window, as PyTorch computes it.
///
/// `floor((in + 2*padding - dilation*(kernel-1) - 1) / stride) + 1`, or with
/// `ceilMode` the ceiling, minus one when the last window would start inside
/// the right padding (PyTorch's pooling rule). Returns 0 when the window
/// does not fit at all.
public func slidingWindowOutputSize(
    input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, ceilMode: Bool = false
) -> Int {
    let span = input + 2 * padding - dilation * (kernel - 1) - 1
    guard span >= 0, stride > 0 else { return 0 }
    var size = (ceilMode ? (span + stride - 1) : span) / stride + 1
    if ceilMode && (size - 1) * stride >= input + padding { size -= 1 }
    return size
}

/// Spatial geometry of one window operation on NCHW planes, in the form the
/// C kernels take.
@usableFromInline
struct WindowGeometry {
    @usableFromInline var raw: fer_window_geometry

    init(input: Size2D, kernel: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D, output: Size2D) {
        raw = fer_window_geometry(
            in_height: input.height, in_width: input.width,
            kernel_height: kernel.height, kernel_width: kernel.width,
            stride_height: stride.height, stride_width: stride.width,
            pad_height: padding.height, pad_width: padding.width,
            dilation_height: dilation.height, dilation_width: dilation.width,
            out_height: output.height, out_width: output.width)
    }

    /// Computes the output size for the given input, PyTorch's way.
    init(input: Size2D, kernel: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D, ceilMode: Bool = false) {
        let output = Size2D(
            height: slidingWindowOutputSize(
                input: input.height, kernel: kernel.height, stride: stride.height,
                padding: padding.height, dilation: dilation.height, ceilMode: ceilMode),
            width: slidingWindowOutputSize(
                input: input.width, kernel: kernel.width, stride: stride.width,
                padding: padding.width, dilation: dilation.width, ceilMode: ceilMode))
        self.init(input: input, kernel: kernel, stride: stride, padding: padding, dilation: dilation, output: output)
    }

    var inputPlane: Int { raw.in_height * raw.in_width }
    var outputPlane: Int { raw.out_height * raw.out_width }
    var taps: Int { raw.kernel_height * raw.kernel_width }
    var output: Size2D { Size2D(height: raw.out_height, width: raw.out_width) }
}
