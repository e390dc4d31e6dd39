import FERData
import FERTensor
import Foundation
import Testing

@Suite struct RAFDBTests {
    /// Writes `lines` as the label file and a tiny JPEG for each listed image under `imageDirectory`.
    static func makeTree(_ lines: [String], imageDirectory: String = "Image/aligned", skipping missing: Set<String> = []) throws -> URL {
        let root = try FixtureFiles.temporaryDirectory()
        let images = root.appendingPathComponent(imageDirectory)
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("EmoLabel"), withIntermediateDirectories: true)
        try (lines.joined(separator: "\n") + "\n").write(to: root.appendingPathComponent(RAFDB.labelFile), atomically: true, encoding: .utf8)
        let pixel = Image(width: 4, height: 4, channels: 3, pixels: [UInt8](repeating: 128, count: 48))
        for line in lines {
            guard let name = line.split(separator: " ").first, !missing.contains(String(name)) else { continue }
            let stem = (String(name) as NSString).deletingPathExtension
            try pixel.write(to: images.appendingPathComponent(stem + "_aligned.jpg"))
        }
        return root
    }

    @Test func splitsByPrefixAndMapsLabelsToTheCanonicalOrder() throws {
        let root = try Self.makeTree(["train_00001.jpg 1", "train_00002.jpg 7", "test_0001.jpg 4", "train_00003.jpg 6"])
        defer { try? FileManager.default.removeItem(at: root) }
        let train = try RAFDB(root: root).load(.train)
        #expect(train.samples.map(\.id) == ["train_00001", "train_00002", "train_00003"])
        #expect(train.samples.map(\.label) == [Expression.surprise, .neutral, .anger].map(\.rawValue))
        #expect(train.classNames == Expression.names)
        let test = try RAFDB(root: root).load(.test)
        #expect(test.samples.map(\.label) == [Expression.happiness.rawValue])
        #expect(try test.samples[0].image().width == 4)
    }

    @Test func toleratesTheAlignedAlignedNesting() throws {
        let root = try Self.makeTree(["train_00001.jpg 2", "test_0001.jpg 3"], imageDirectory: "Image/aligned/aligned")
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(try RAFDB(root: root).load(.train).count == 1)
    }

    @Test func badLinesAndMissingFilesNameFileAndLine() throws {
        let cases: [([String], Set<String>, String)] = [
            (["train_00001.jpg 1", "train_00002.jpg"], [], "list_patition_label.txt:2: malformed"),
            (["train_00001.jpg 1", "", "train_00002.jpg 9"], [], "list_patition_label.txt:3: unknown label \"9\""),
            (["train_00001.jpg 1", "val_00002.jpg 1"], [], "list_patition_label.txt:2: malformed"),
            (["train_00001.jpg 1", "train_00002.jpg 2"], ["train_00002.jpg"], "list_patition_label.txt:2: image"),
        ]
        for (lines, missing, expected) in cases {
            let root = try Self.makeTree(lines, skipping: missing)
            defer { try? FileManager.default.removeItem(at: root) }
            do {
                _ = try RAFDB(root: root).load(.train)
                Issue.record("\(lines) loaded")
            } catch let error as DatasetError {
                #expect(error.description.contains(expected), "\(error)")
            }
        }
        let trainOnly = try Self.makeTree(["train_00001.jpg 1"])
        defer { try? FileManager.default.removeItem(at: trainOnly) }
        #expect(throws: DatasetError.self) { try RAFDB(root: trainOnly).load(.test) }
        #expect(throws: DatasetError.self) { try RAFDB(root: trainOnly.appendingPathComponent("nothing")).load(.train) }
    }

    @Test func theSyntheticSetReadsBackWithItsLabels() throws {
        let root = try FixtureFiles.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let set = SyntheticFER(perClass: 10, size: 48, seed: 7, imbalanced: true)
        let sizes = try set.write(to: root)
        let train = try RAFDB(root: root).load(.train), test = try RAFDB(root: root).load(.test)
        #expect(train.count == sizes.train && test.count == sizes.test)
        let total = zip(train.classCounts, test.classCounts).map(+)
        #expect(total == set.classCounts)
        #expect(total[Expression.happiness.rawValue] > total[Expression.fear.rawValue])
        let image = try train.samples[0].image()
        #expect(image.width == 48 && image.channels == 3)
        // The same seed draws the same faces.
        var first = RandomGenerator(seed: 3), second = RandomGenerator(seed: 3)
        #expect(set.render(.anger, using: &first) == set.render(.anger, using: &second))
        var third = RandomGenerator(seed: 4)
        #expect(set.render(.anger, using: &first) != set.render(.anger, using: &third))
    }
}
