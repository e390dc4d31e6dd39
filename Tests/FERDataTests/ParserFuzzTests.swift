import FERData
import FERTestSupport
import Foundation
import Testing

/// Mutated and truncated inputs to every FERData parser: each case must end
/// in a valid result or a typed error (`ImageError`, `DatasetError`), never
/// a trap. Case counts and coverage are in Documentation/Reliability.md.
@Suite struct ParserFuzzTests {
    /// Runs `cases` mutations of `seeds`; returns how many parsed and how many were rejected.
    static func fuzz(
        _ seeds: [[UInt8]], cases: Int, seed: UInt64, _ parse: ([UInt8]) throws -> Void,
        isTyped: (any Error) -> Bool, sourceLocation: SourceLocation = #_sourceLocation
    ) -> (accepted: Int, rejected: Int) {
        var mutator = Mutator(seed: seed)
        var accepted = 0, rejected = 0
        for index in 0..<cases {
            let input = mutator.mutate(seeds[index % seeds.count])
            do {
                try parse(input)
                accepted += 1
            } catch {
                rejected += 1
                #expect(isTyped(error), "case \(index): untyped error \(type(of: error)): \(error)", sourceLocation: sourceLocation)
            }
        }
        return (accepted, rejected)
    }

    @Test func jpegAndPNGDecodingOfMutatedFilesNeverTraps() throws {
        let files = ["astronaut_face.jpg", "astronaut_face_progressive.jpg", "astronaut_face_gray.jpg", "palette.png", "rgb16.png", "rgba.png"]
        let seeds = try files.map { [UInt8](try Data(contentsOf: FixtureFiles.url($0))) }
        let outcome = Self.fuzz(seeds, cases: 1200, seed: 1, { bytes in
            let image = try Image(encoded: Data(bytes), source: "fuzz", maxPixels: 1 << 22)
            #expect(image.pixels.count == image.width * image.height * image.channels)
        }, isTyped: { $0 is ImageError })
        #expect(outcome.accepted + outcome.rejected == 1200 && outcome.rejected > 0)
    }

    @Test func rafdbLabelFilesWithMutatedLinesAreErrorsOrValidSplits() throws {
        let lines = (1...6).map { "train_0000\($0).jpg \($0)" } + (1...3).map { "test_000\($0).jpg \($0 + 3)" }
        let root = try RAFDBTests.makeTree(lines)
        defer { try? FileManager.default.removeItem(at: root) }
        let labelFile = root.appendingPathComponent(RAFDB.labelFile)
        let seed = [UInt8](try Data(contentsOf: labelFile))
        let outcome = Self.fuzz([seed], cases: 500, seed: 2, { bytes in
            try Data(bytes).write(to: labelFile)
            for split in [DatasetSplit.train, .test] {
                let dataset = try RAFDB(root: root).load(split)
                #expect(dataset.samples.allSatisfy { dataset.classNames.indices.contains($0.label) })
            }
        }, isTyped: { $0 is DatasetError })
        #expect(outcome.rejected > 0)
    }

    @Test func fer2013AndFERPlusCSVsWithMutatedRowsAreErrorsOrValidSplits() throws {
        let pixelRows = (0..<5).map { FER2013Tests.row(String($0 % 7), ["Training", "PublicTest", "PrivateTest"][$0 % 3], offset: $0) }
        let csv = try FER2013Tests.writeCSV(["emotion,pixels,Usage"] + pixelRows)
        defer { try? FileManager.default.removeItem(at: csv.deletingLastPathComponent()) }
        let seed = [UInt8](try Data(contentsOf: csv))
        let fer2013 = Self.fuzz([seed], cases: 400, seed: 3, { bytes in
            try Data(bytes).write(to: csv)
            for split in DatasetSplit.allCases {
                do {
                    for sample in try FER2013(csv: csv).load(split).samples { _ = try sample.image() }
                } catch DatasetError.emptySplit {}
            }
        }, isTyped: { $0 is DatasetError || $0 is ImageError })
        #expect(fer2013.rejected > 0)

        let plus = try FERPlusTests.writePair(
            pixels: pixelRows,
            votes: ["Training,fer0000000.png,10,0,0,0,0,0,0,0,0,0", "PublicTest,fer0000001.png,0,6,4,0,0,0,0,0,0,0",
                    "PrivateTest,fer0000002.png,0,0,0,9,1,0,0,0,0,0", "Training,fer0000003.png,2,2,2,2,2,0,0,0,0,0",
                    "PublicTest,fer0000004.png,0,0,0,0,0,0,10,0,0,0"])
        let votes = plus.votes
        defer { try? FileManager.default.removeItem(at: votes.deletingLastPathComponent()) }
        let voteSeed = [UInt8](try Data(contentsOf: votes))
        let ferPlus = Self.fuzz([voteSeed], cases: 400, seed: 4, { bytes in
            try Data(bytes).write(to: votes)
            for split in DatasetSplit.allCases {
                do {
                    let dataset = try plus.load(split)
                    #expect(dataset.samples.allSatisfy { ($0.softLabel?.allSatisfy(\.isFinite) ?? true) })
                } catch DatasetError.emptySplit {}
            }
        }, isTyped: { $0 is DatasetError })
        #expect(ferPlus.rejected > 0)
    }
}
