import Testing
@testable import FERTensor

@Suite struct ResizeTests {
    let square = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])

    @Test func bilinearUpsamplingMatchesPyTorchValues() {
        let y = Tensor.resize(square, to: 4, mode: .bilinear())
        expectClose(y, Tensor(shape: [1, 1, 4, 4], scalars: [
            1.0, 1.25, 1.75, 2.0,
            1.5, 1.75, 2.25, 2.5,
            2.5, 2.75, 3.25, 3.5,
            3.0, 3.25, 3.75, 4.0,
        ]))
    }

    @Test func bilinearWithAlignedCornersKeepsCorners() {
        let y = Tensor.resize(square, to: 3, mode: .bilinear(alignCorners: true))
        expectClose(y, Tensor(shape: [1, 1, 3, 3], scalars: [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4]))
    }

    @Test func nearestRepeatsAndSubsamples() {
        #expect(Tensor.resize(square, to: 4, mode: .nearest).scalars == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        let row = Tensor(shape: [1, 1, 1, 6], scalars: [0, 1, 2, 3, 4, 5])
        #expect(Tensor.resize(row, to: Size2D(height: 1, width: 3), mode: .nearest).scalars == [0, 2, 4])
    }

    @Test(arguments: [ResizeMode.nearest, .bilinear(), .bilinear(alignCorners: true)])
    func resizeGradientIsTheAdjoint(_ mode: ResizeMode) {
        for (input, output) in [([2, 3, 5, 7], Size2D(height: 9, width: 4)), ([1, 2, 8, 8], Size2D(3))] {
            let x = randomTensor(input, seed: 41)
            let y = Tensor.resize(x, to: output, mode: mode)
            let upstream = randomTensor(y.shape, seed: 42)
            expectAdjoint(y, upstream, x, Tensor.resizeBackward(upstream, inputShape: input, mode: mode))
        }
    }
}
