import FERData
import Foundation
import Testing

@Suite struct FER2013Tests {
    /// A row of `emotion,pixels,Usage` with a `side` x `side` gradient image.
    static func row(_ emotion: String, _ usage: String, side: Int = 48, offset: Int = 0) -> String {
        let pixels = (0..<(side * side)).map { String(($0 + offset) % 256) }.joined(separator: " ")
        return "\(emotion),\(pixels),\(usage)"
    }

    /// Writes `lines` to a CSV in a fresh directory.
    static func writeCSV(_ lines: [String], named name: String = "fer2013.csv") throws -> URL {
        let url = try FixtureFiles.temporaryDirectory().appendingPathComponent(name)
        try (lines.joined(separator: "\r\n") + "\r\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func mapsLabelsToTheCanonicalOrderAndUsageToSplits() throws {
        let csv = try Self.writeCSV([
            "emotion,pixels,Usage",
            Self.row("0", "Training"), Self.row("3", "Training", offset: 5), Self.row("6", "PublicTest"),
            Self.row("5", "PrivateTest"), Self.row("1", "Training"),
        ])
        defer { try? FileManager.default.removeItem(at: csv.deletingLastPathComponent()) }
        let train = try FER2013(csv: csv).load(.train)
        #expect(train.samples.map(\.label) == [Expression.anger, .happiness, .disgust].map(\.rawValue))
        #expect(train.samples.map(\.id) == ["fer0000000", "fer0000001", "fer0000004"])
        let image = try train.samples[1].image()
        #expect(image.width == 48 && image.height == 48 && image.channels == 1)
        #expect(Array(image.pixels.prefix(3)) == [5, 6, 7] && image.pixels[250] == 255 && image.pixels[251] == 0)
        #expect(try FER2013(csv: csv).load(.validation).samples.map(\.label) == [Expression.neutral.rawValue])
        #expect(try FER2013(csv: csv).load(.test).samples.map(\.id) == ["fer0000003"])
    }

    @Test func readsTheICMLVariantWithReorderedQuotedColumns() throws {
        let pixels = (0..<4).map(String.init).joined(separator: " ")
        let csv = try Self.writeCSV(["emotion, Usage, pixels", "4,Training,\"\(pixels)\""], named: "icml_face_data.csv")
        defer { try? FileManager.default.removeItem(at: csv.deletingLastPathComponent()) }
        let train = try FER2013(csv: csv).load(.train)
        #expect(train.samples[0].label == Expression.sadness.rawValue)
        #expect(try train.samples[0].image().pixels == [0, 1, 2, 3])
    }

    @Test func badRowsAreErrorsNamingFileAndLine() throws {
        let cases: [([String], String)] = [
            (["emotion,pixels,Usage", Self.row("0", "Training"), Self.row("7", "Training")], "fer2013.csv:3: unknown label \"7\""),
            (["emotion,pixels,Usage", Self.row("x", "Training")], "fer2013.csv:2: unknown label \"x\""),
            (["emotion,pixels,Usage", Self.row("2", "Validation")], "fer2013.csv:2: malformed line (Usage \"Validation\""),
            (["emotion,pixels,Usage", "2,0 1 2 3 4 5 6 7 8 9,Training"], "fer2013.csv:2: malformed line (10 pixel values"),
            (["emotion,pixels,Usage", "2,1 2 300 4,Training"], "fer2013.csv:2: malformed line (pixel value 300"),
            (["emotion,pixels,Usage", "2,1 2 a 4,Training"], "fer2013.csv:2: malformed line (pixels contain \"a\""),
            (["emotion,pixels,Usage", Self.row("1", "Training"), "2,Training"], "fer2013.csv:3: malformed line (2 fields"),
            (["emotion,pixel,Usage", Self.row("1", "Training")], "fer2013.csv:1: malformed line (no column \"pixels\""),
            (["emotion,pixels,Usage", Self.row("1", "PublicTest")], "the train split has no samples"),
        ]
        for (lines, expected) in cases {
            let csv = try Self.writeCSV(lines)
            defer { try? FileManager.default.removeItem(at: csv.deletingLastPathComponent()) }
            #expect { try FER2013(csv: csv).load(.train) } throws: { error in
                (error as? DatasetError)?.description.contains(expected) == true
            }
        }
        #expect(throws: DatasetError.self) { try FER2013(csv: URL(fileURLWithPath: "/nonexistent/fer2013.csv")).load(.train) }
    }
}
