import FERData
import Foundation
import Testing

@Suite struct ImageFolderTests {
    /// Writes a 4x4 JPEG at each relative path under a fresh directory.
    static func makeTree(_ paths: [String]) throws -> URL {
        let root = try FixtureFiles.temporaryDirectory()
        let image = Image(width: 4, height: 4, channels: 3, pixels: [UInt8](repeating: 90, count: 48))
        for path in paths {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if url.pathExtension == "txt" {
                try "notes".write(to: url, atomically: true, encoding: .utf8)
            } else {
                try image.write(to: url)
            }
        }
        return root
    }

    @Test func mapsFolderNamesAndSynonymsToTheCanonicalClassesNotTheirAlphabeticalOrder() throws {
        let root = try Self.makeTree([
            "train/angry/b.jpg", "train/angry/a.png", "train/Happy/x.jpg", "train/surprised/deep/y.jpeg",
            "train/neutral/readme.txt", "train/neutral/n.jpg", "Test/sad/s.jpg",
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let train = try ImageFolder(expressionsAt: root).load(.train)
        #expect(train.samples.map(\.id) == ["Happy/x.jpg", "angry/a.png", "angry/b.jpg", "neutral/n.jpg", "surprised/deep/y.jpeg"])
        #expect(train.samples.map(\.label) == [Expression.happiness, .anger, .anger, .neutral, .surprise].map(\.rawValue))
        #expect(train.classNames == Expression.names)
        let test = try ImageFolder(expressionsAt: root).load(.test)
        #expect(test.samples.map(\.label) == [Expression.sadness.rawValue])
        #expect(try test.samples[0].image().width == 4)
    }

    @Test func explicitMappingsCoverNumberedFoldersAndFlatTrees() throws {
        let root = try Self.makeTree(["0/a.jpg", "3/b.jpg", "3/c.jpg"])
        defer { try? FileManager.default.removeItem(at: root) }
        let affectNetStyle = try ImageFolder(expressionsAt: root, folders: ["0": .neutral, "3": .happiness]).load()
        #expect(affectNetStyle.classCounts == [0, 0, 0, 2, 0, 0, 1])
        let custom = try ImageFolder(root: root, classNames: ["calm", "joy"], folderClasses: ["0": 0, "3": 1]).load()
        #expect(custom.samples.map(\.label) == [0, 1, 1] && custom.classNames == ["calm", "joy"])
    }

    @Test func unmappedFoldersMissingSplitsAndEmptySplitsAreErrorsNamingThePath() throws {
        let root = try Self.makeTree(["train/happy/a.jpg", "train/smirk/b.jpg", "val/happy/notes.txt"])
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = ImageFolder(expressionsAt: root)
        #expect { try folder.load(.train) } throws: { error in
            guard case let DatasetError.unmappedFolder(path, known) = error else { return false }
            return path.hasSuffix("train/smirk") && known.contains("happiness")
        }
        #expect { try folder.load(.test) } throws: { error in
            "\(error)".contains(root.lastPathComponent) && "\(error)".contains("test folder")
        }
        #expect { try folder.load(.validation) } throws: { error in
            guard case DatasetError.emptySplit = error else { return false }
            return true
        }
        #expect(throws: DatasetError.self) { try ImageFolder(expressionsAt: root.appendingPathComponent("absent")).load() }
    }
}
