import FERData
import FERTensor
import Testing

@Suite struct TransformTests {
    static func randomImage(channels: Int = 3, height: Int = 9, width: Int = 11, seed: UInt64 = 1) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.randomUniform([channels, height, width], low: 0, high: 1, using: &generator)
    }

    static func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    }

    @Test func flipIsAnInvolutionAndMirrorsColumns() {
        let image = Self.randomImage()
        var generator = RandomGenerator(seed: 0)
        let flip = HorizontalFlip(probability: 1)
        let flipped = flip.apply(image, using: &generator)
        #expect(flipped[1, 2, 0] == image[1, 2, 10])
        #expect(flip.apply(flipped, using: &generator).scalars == image.scalars)
        #expect(HorizontalFlip(probability: 0).apply(image, using: &generator).scalars == image.scalars)
    }

    @Test func rotationByZeroIsIdentityAndKeepsTheCentre() {
        let image = Self.randomImage(height: 9, width: 9)
        #expect(RandomRotation.rotated(image, degrees: 0, border: .constant(0)).scalars == image.scalars)
        for degrees: Float in [-30, 13, 45, 90, 180] {
            let rotated = RandomRotation.rotated(image, degrees: degrees, border: .constant(0))
            for channel in 0..<3 { #expect(abs(rotated[channel, 4, 4] - image[channel, 4, 4]) < 1e-5) }
        }
    }

    @Test func positiveAnglesTurnCounterClockwise() {
        var image = Tensor.zeros([1, 5, 5])
        image[0, 2, 4] = 1  // right of the centre
        let rotated = RandomRotation.rotated(image, degrees: 90, border: .constant(0))
        #expect(abs(rotated[0, 0, 2] - 1) < 1e-5)  // now above it
        #expect(rotated.scalars.reduce(0, +) - 1 < 1e-4)
        let replicated = RandomRotation.rotated(Tensor(shape: [1, 5, 5], repeating: 0.7), degrees: 30, border: .replicate)
        #expect(replicated.scalars.allSatisfy { abs($0 - 0.7) < 1e-5 })
        let filled = RandomRotation.rotated(Tensor(shape: [1, 5, 5], repeating: 0.7), degrees: 45, border: .constant(0))
        #expect(filled[0, 0, 0] < 0.7)
    }

    @Test func cropsHaveTheRequestedSizeAndContent() {
        let image = Self.randomImage(height: 10, width: 12)
        var generator = RandomGenerator(seed: 3)
        let center = CenterCrop(height: 4, width: 6).apply(image, using: &generator)
        #expect(center.shape == [3, 4, 6])
        #expect(center[2, 0, 0] == image[2, 3, 3])
        for _ in 0..<20 {
            let random = RandomCrop(height: 8, width: 8, padding: 2).apply(image, using: &generator)
            #expect(random.shape == [3, 8, 8])
        }
        let whole = RandomCrop(height: 10, width: 12).apply(image, using: &generator)
        #expect(whole.scalars == image.scalars)
    }

    @Test func resizeKeepsConstantsAndAveragesWhenShrinking() {
        var generator = RandomGenerator(seed: 0)
        let constant = Tensor(shape: [3, 7, 9], repeating: 0.25)
        let up = Resize(height: 20, width: 13).apply(constant, using: &generator)
        #expect(up.shape == [3, 20, 13])
        #expect(up.scalars.allSatisfy { abs($0 - 0.25) < 1e-6 })
        // A one-pixel checkerboard shrunk by 4 becomes its mean (no aliasing).
        var checker = Tensor.zeros([1, 16, 16])
        for row in 0..<16 { for column in 0..<16 where (row + column) % 2 == 0 { checker[0, row, column] = 1 } }
        let down = Resize(height: 4, width: 4).apply(checker, using: &generator)
        #expect(down.scalars.allSatisfy { abs($0 - 0.5) < 0.02 })
    }

    @Test func colourTransformsDoWhatTheySay() {
        var generator = RandomGenerator(seed: 0)
        let image = Self.randomImage()
        let gray = Desaturate(strength: 1...1).apply(image, using: &generator)
        #expect(Self.maxDifference(gray.sliced(axis: 0, range: 0..<1), gray.sliced(axis: 0, range: 1..<2)) < 1e-6)
        #expect(abs(gray[0, 3, 4] - (0.299 * image[0, 3, 4] + 0.587 * image[1, 3, 4] + 0.114 * image[2, 3, 4])) < 1e-6)
        #expect(Desaturate(strength: 0...0).apply(image, using: &generator).scalars == image.scalars)
        let single = Grayscale(outputChannels: 1).apply(image, using: &generator)
        #expect(single.shape == [1, 9, 11])
        #expect(abs(single[0, 3, 4] - gray[0, 3, 4]) < 1e-6)
        let jittered = ColorJitter(brightness: 0.4, contrast: 0.4).apply(image, using: &generator)
        #expect(jittered.scalars.allSatisfy { (0...1).contains($0) })
        #expect(ColorJitter().apply(image, using: &generator).scalars.elementsEqual(image.scalars) { abs($0 - $1) < 1e-6 })
    }

    @Test func normalizationGivesZeroMeanUnitScale() {
        var generator = RandomGenerator(seed: 0)
        let mean: [Float] = [0.485, 0.456, 0.406], deviation: [Float] = [0.229, 0.224, 0.225]
        var image = Tensor.empty([3, 4, 4])
        for channel in 0..<3 {
            for row in 0..<4 { for column in 0..<4 { image[channel, row, column] = mean[channel] + deviation[channel] * (column % 2 == 0 ? 1 : -1) } }
        }
        let normalized = Normalize.imageNet.apply(image, using: &generator)
        for channel in 0..<3 {
            let values = normalized.sliced(axis: 0, range: channel..<(channel + 1)).scalars
            #expect(abs(values.reduce(0, +) / 16) < 1e-5)
            #expect(values.allSatisfy { abs(abs($0) - 1) < 1e-4 })
        }
    }

    @Test func erasingFillsOneRectangleOfTheRequestedArea() {
        var generator = RandomGenerator(seed: 5)
        let image = Tensor(shape: [3, 20, 20], repeating: 1)
        for _ in 0..<20 {
            let erased = RandomErasing(probability: 1, scale: 0.1...0.2).apply(image, using: &generator)
            let zeros = erased.scalars.filter { $0 == 0 }.count / 3
            #expect((20...100).contains(zeros))
        }
        #expect(RandomErasing(probability: 0).apply(image, using: &generator).scalars == image.scalars)
    }

    @Test func thePaperPresetIsDeterministicPerSeed() {
        let image = Self.randomImage(height: 100, width: 100)
        let preset = Compose.paperTraining(size: 100)
        var first = RandomGenerator(seed: 42), second = RandomGenerator(seed: 42), other = RandomGenerator(seed: 43)
        let a = preset.apply(image, using: &first)
        let b = preset.apply(image, using: &second)
        let c = preset.apply(image, using: &other)
        #expect(a.shape == [3, 100, 100])
        #expect(a.scalars == b.scalars)
        #expect(a.scalars != c.scalars)
    }
}
