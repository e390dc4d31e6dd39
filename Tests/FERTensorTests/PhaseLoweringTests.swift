import CFERKernels
import Testing
@testable import FERTensor

/// One stride-2 window over a plane, for the phase-plane lowering.
struct PhaseLoweringCase: CustomTestStringConvertible, Sendable {
    var channels: Int
    var input: Size2D
    var kernel: Size2D
    var padding: Size2D
    var dilation: Size2D = 1
    var testDescription: String { "c\(channels) \(input) k\(kernel) p\(padding) d\(dilation)" }

    var window: WindowGeometry {
        WindowGeometry(input: input, kernel: kernel, stride: 2, padding: padding, dilation: dilation)
    }
}

/// `fer_phase_im2col` and `fer_phase_col2im` (which `fer_im2col` and
/// `fer_col2im` run on CPUs without AVX-512) called directly, so that they
/// are checked on every CPU, against direct loops.
@Suite struct PhaseLoweringTests {
    static let cases: [PhaseLoweringCase] = [
        .init(channels: 3, input: 25, kernel: 3, padding: 1),                                           // ResNet layer2.0.conv1
        .init(channels: 2, input: Size2D(height: 20, width: 21), kernel: 7, padding: 3),                  // stem
        .init(channels: 1, input: 100, kernel: 7, padding: 3),                                            // stem at 100 px: 47 KB of planes
        .init(channels: 2, input: Size2D(height: 13, width: 27), kernel: 3, padding: 2, dilation: 2),     // odd rows unread
        .init(channels: 3, input: Size2D(height: 9, width: 10), kernel: 5, padding: 4),                   // padding beyond the plane
        .init(channels: 2, input: Size2D(height: 11, width: 17), kernel: Size2D(height: 3, width: 5),
              padding: Size2D(height: 0, width: 2)),                                                      // rectangular kernel
        .init(channels: 4, input: 9, kernel: 1, padding: 0),                                             // 1x1 shortcut
        .init(channels: 5, input: Size2D(height: 4, width: 5), kernel: 3, padding: 0),                    // one output row
    ]

    /// The column matrix by direct loops: row `(c*KH + kh)*KW + kw`, `ldcol` apart.
    static func referenceColumns(_ x: [Float], _ c: PhaseLoweringCase, ldcol: Int) -> [Float] {
        let g = c.window.raw, taps = c.window.taps
        var col = [Float](repeating: 0, count: c.channels * taps * ldcol)
        for channel in 0..<c.channels {
            for kh in 0..<g.kernel_height {
                for kw in 0..<g.kernel_width {
                    let row = (channel * taps + kh * g.kernel_width + kw) * ldcol
                    for oh in 0..<g.out_height {
                        for ow in 0..<g.out_width {
                            let ih = 2 * oh - g.pad_height + kh * g.dilation_height
                            let iw = 2 * ow - g.pad_width + kw * g.dilation_width
                            guard ih >= 0, ih < g.in_height, iw >= 0, iw < g.in_width else { continue }
                            col[row + oh * g.out_width + ow] = x[(channel * g.in_height + ih) * g.in_width + iw]
                        }
                    }
                }
            }
        }
        return col
    }

    /// Row ranges of the column matrix: all at once, and slices of 7 that cut channels between taps.
    static func slices(rows: Int) -> [[Range<Int>]] {
        [[0..<rows], stride(from: 0, to: rows, by: 7).map { $0..<min($0 + 7, rows) }]
    }

    @Test(arguments: cases) func im2colMatchesDirectLoops(_ c: PhaseLoweringCase) {
        let g = c.window.raw
        #expect(fer_phase_lowering_fits(g) == 1)
        let rows = c.channels * c.window.taps, ldcol = c.window.outputPlane + 3
        let x = randomTensor([c.channels, c.input.height, c.input.width], seed: 71).scalars
        let expected = Self.referenceColumns(x, c, ldcol: ldcol)
        for slices in Self.slices(rows: rows) {
            var col = [Float](repeating: .nan, count: rows * ldcol)
            for slice in slices {
                col.withUnsafeMutableBufferPointer { col in
                    fer_phase_im2col(x, slice.lowerBound, slice.count, g, col.baseAddress! + slice.lowerBound * ldcol, ldcol)
                }
            }
            for row in 0..<rows {
                let written = row * ldcol..<(row * ldcol + c.window.outputPlane)
                #expect(Array(col[written]) == Array(expected[written]), "row \(row), \(slices.count) slices")
            }
        }
    }

    @Test(arguments: cases) func col2imOverwritesThePlanesWithTheAdjoint(_ c: PhaseLoweringCase) {
        let g = c.window.raw
        let rows = c.channels * c.window.taps, ldcol = c.window.outputPlane + 3, plane = c.window.inputPlane
        let col = randomTensor([rows * ldcol], seed: 72).scalars
        // The adjoint by direct loops: each column entry added where im2col read it.
        var expected = [Float](repeating: 0, count: c.channels * plane)
        let positions = Self.referenceColumns((0..<(c.channels * plane)).map(Float.init), c, ldcol: ldcol)
        let reads = Self.referenceColumns([Float](repeating: 1, count: c.channels * plane), c, ldcol: ldcol)
        for index in col.indices where reads[index] == 1 { expected[Int(positions[index])] += col[index] }
        for slices in Self.slices(rows: rows) {
            var x = [Float](repeating: 1e3, count: c.channels * plane)  // stale values that tap 0 must overwrite
            col.withUnsafeBufferPointer { col in
                for slice in slices {
                    fer_phase_col2im(col.baseAddress! + slice.lowerBound * ldcol, ldcol, slice.lowerBound, slice.count, g, &x)
                }
            }
            expectClose(Tensor(shape: [x.count], scalars: x), Tensor(shape: [x.count], scalars: expected),
                        absolute: 1e-5, relative: 1e-5)
        }
    }

    @Test func planesTooLargeForTheBuffersAreRefused() {
        let stem = WindowGeometry(input: 224, kernel: 7, stride: 2, padding: 3, dilation: 1)
        let strideOne = WindowGeometry(input: 25, kernel: 3, stride: 1, padding: 1, dilation: 1)
        #expect(fer_phase_lowering_fits(stem.raw) == 0)
        #expect(fer_phase_lowering_fits(strideOne.raw) == 0)
    }
}
