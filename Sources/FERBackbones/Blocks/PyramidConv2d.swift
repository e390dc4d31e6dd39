import FERNN
import FERTensor

/// Pyramidal convolution (PyConv): several convolutions of growing kernel
/// size and growing group count run side by side on the same input, and their
/// outputs are concatenated along channels. Larger kernels see more context;
/// more groups keep their cost near that of the 3x3 level.
///
/// The default levels are kernels 3, 5, 7, 9 with 1, 4, 8, 16 groups, each
/// producing a quarter of the output channels (`levels.0` ... `levels.3`).
public final class PyramidConv2d: Module, UnaryLayer {
    /// One convolution per level, without bias (a BatchNorm follows).
    let levels: [Conv2d]
    /// Kernel size and group count of each level.
    public let kernelSizes: [Int], groups: [Int]

    /// A pyramid from `inputChannels` to `outputChannels`, which the levels share equally.
    ///
    /// - Precondition: the levels divide `outputChannels` equally, and each
    ///   level's groups divide `inputChannels` and its share of the output.
    public init(
        inputChannels: Int, outputChannels: Int, kernelSizes: [Int] = [3, 5, 7, 9], groups: [Int] = [1, 4, 8, 16],
        stride: Int = 1, generator: inout RandomGenerator
    ) {
        precondition(
            !kernelSizes.isEmpty && kernelSizes.count == groups.count && outputChannels % kernelSizes.count == 0,
            "PyramidConv2d: \(kernelSizes.count) levels with \(groups.count) group counts must divide \(outputChannels) output channels")
        let share = outputChannels / kernelSizes.count
        levels = zip(kernelSizes, groups).map { kernel, groupCount in
            precondition(kernel > 0 && kernel % 2 == 1, "PyramidConv2d: kernel sizes must be odd, got \(kernel)")
            precondition(
                groupCount > 0 && inputChannels % groupCount == 0 && share % groupCount == 0,
                "PyramidConv2d: \(groupCount) groups must divide \(inputChannels) input and \(share) output channels")
            let weight = Initialization.kaimingNormal(
                [share, inputChannels / groupCount, kernel, kernel], mode: .fanOut, using: &generator)
            return Conv2d(weight: weight, bias: nil, options: ConvolutionOptions(
                stride: Size2D(stride), padding: Size2D(kernel / 2), groups: groupCount))
        }
        self.kernelSizes = kernelSizes
        self.groups = groups
        super.init()
    }

    /// The levels' outputs for `input` `[N, C, H, W]`, concatenated along channels.
    public func callAsFunction(_ input: Variable) -> Variable {
        Variable.concatenated(levels.map { $0(input) }, axis: 1)
    }
}
