import FERData
import Foundation
import Testing

@Suite struct ImageCodecTests {
    /// A smooth RGB test card: gradients in red and green, a soft bump in blue.
    static func testCard(width: Int = 64, height: Int = 48) -> Image {
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let radius = hypot(Double(x - width / 2), Double(y - height / 2))
                let bump = 60 * exp(-radius * radius / 128)
                pixels += [UInt8(x * 255 / (width - 1)), UInt8(y * 255 / (height - 1)), UInt8(80 + bump)]
            }
        }
        return Image(width: width, height: height, channels: 3, pixels: pixels)
    }

    static func differences(_ a: Image, _ b: Image) -> (max: Int, mean: Double) {
        let deltas = zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }
        return (deltas.max() ?? 0, Double(deltas.reduce(0, +)) / Double(deltas.count))
    }

    @Test func jpegRoundTripStaysWithinQuantisationError() throws {
        let card = Self.testCard()
        let decoded = try Image(encoded: card.jpegData(quality: 95))
        #expect(decoded.width == 64 && decoded.height == 48 && decoded.channels == 3)
        let error = Self.differences(card, decoded)
        #expect(error.max <= 16)
        #expect(error.mean <= 1.5)
    }

    @Test func grayscaleJPEGDecodesToOneChannel() throws {
        let gray = Self.testCard().converted(toChannels: 1)
        let decoded = try Image(encoded: gray.jpegData(quality: 95))
        #expect(decoded.channels == 1)
        #expect(Self.differences(gray, decoded).mean <= 1.5)
    }

    @Test(arguments: ["astronaut_face", "astronaut_face_progressive", "astronaut_face_gray"])
    func photographMatchesAnIndependentDecoder(_ name: String) throws {
        let decoded = try Image(contentsOf: FixtureFiles.url(name + ".jpg"))
        let reference = try Image(contentsOf: FixtureFiles.url(name + ".reference.png"))
        #expect(decoded.width == 100 && decoded.height == 100)
        #expect(decoded.channels == reference.channels)
        #expect(Self.differences(decoded, reference).max <= 1)
    }

    @Test func pngRoundTripIsExact() throws {
        for image in [Self.testCard(), Self.testCard().converted(toChannels: 1)] {
            #expect(try Image(encoded: image.pngData()) == image)
        }
    }

    /// Sample (x, y, c) = 40x + 100y + 7c in every PNG variant the generator wrote.
    @Test(arguments: ["palette.png", "rgba.png", "rgb16.png"])
    func pngVariantsDecodeToEightBitRGB(_ name: String) throws {
        let image = try Image(contentsOf: FixtureFiles.url(name))
        #expect(image.width == 3 && image.height == 2 && image.channels == 3)
        for y in 0..<2 {
            for x in 0..<3 {
                for c in 0..<3 { #expect(Int(image[x, y, c]) == 40 * x + 100 * y + 7 * c) }
            }
        }
    }

    @Test func cmykJPEGIsRefusedWithItsFileName() throws {
        let url = FixtureFiles.url("cmyk.jpg")
        #expect(throws: ImageError.self) { try Image(contentsOf: url) }
        do {
            _ = try Image(contentsOf: url)
        } catch let error as ImageError {
            guard case .unsupported = error else { Issue.record("expected .unsupported, got \(error)"); return }
            #expect(error.description.contains("cmyk.jpg"))
            #expect(error.description.contains("CMYK"))
        }
    }

    @Test func truncatedFilesAreErrorsNamingTheSource() throws {
        let card = Self.testCard()
        for (format, data) in [(ImageFormat.jpeg, try card.jpegData()), (.png, try card.pngData())] {
            for length in [data.count / 4, data.count / 2, data.count - 10] {
                do {
                    _ = try Image(encoded: data.prefix(length), source: "cut.\(format)")
                    Issue.record("\(format) cut to \(length) of \(data.count) bytes decoded without error")
                } catch let error as ImageError {
                    guard case .corrupt(let source, let reported, _) = error else {
                        Issue.record("expected .corrupt, got \(error)")
                        continue
                    }
                    #expect(source == "cut.\(format)")
                    #expect(reported == format)
                }
            }
        }
    }

    @Test func damagedBytesGiveAnErrorOrAnImageNeverACrash() throws {
        var generator = SystemRandomNumberGenerator()
        let card = Self.testCard(width: 32, height: 32)
        for data in [try card.jpegData(), try card.pngData()] {
            for _ in 0..<200 {
                var damaged = data
                for _ in 0..<4 {
                    let index = Int.random(in: 8..<damaged.count, using: &generator)
                    damaged[index] = UInt8.random(in: 0...255, using: &generator)
                }
                if let image = try? Image(encoded: damaged) {
                    #expect(image.pixels.count == image.width * image.height * image.channels)
                }
            }
        }
    }

    @Test func imagesAbovethePixelLimitAreRefusedBeforeDecoding() throws {
        let data = try Self.testCard().pngData()
        #expect(throws: ImageError.self) { try Image(encoded: data, maxPixels: 64 * 48 - 1) }
        #expect(try Image(encoded: data, maxPixels: 64 * 48).width == 64)
        let jpeg = try Self.testCard().jpegData()
        #expect(throws: ImageError.self) { try Image(encoded: jpeg, maxPixels: 100) }
    }

    @Test func unknownAndMissingFilesAreNamed() throws {
        #expect(throws: ImageError.unknownFormat(source: "x.gif")) { try Image(encoded: Data("GIF89a".utf8), source: "x.gif") }
        let missing = URL(fileURLWithPath: "/nonexistent/face.jpg")
        do {
            _ = try Image(contentsOf: missing)
            Issue.record("a missing file decoded")
        } catch let error as ImageError {
            #expect(error.description.hasPrefix("/nonexistent/face.jpg"))
        }
    }

    @Test func writeChoosesTheFormatByExtension() throws {
        let directory = try FixtureFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let card = Self.testCard()
        try card.write(to: directory.appendingPathComponent("card.png"))
        try card.write(to: directory.appendingPathComponent("card.jpg"))
        #expect(try Image(contentsOf: directory.appendingPathComponent("card.png")) == card)
        #expect(Self.differences(try Image(contentsOf: directory.appendingPathComponent("card.jpg")), card).mean <= 1.5)
        #expect(throws: ImageError.self) { try card.write(to: directory.appendingPathComponent("card.bmp")) }
    }

    @Test func tensorConversionRoundTrips() {
        let card = Self.testCard()
        let tensor = card.tensor()
        #expect(tensor.shape == [3, 48, 64])
        #expect(abs(tensor[0, 0, 63] - 1) < 1e-6)
        #expect(Image(tensor) == card)
    }
}
