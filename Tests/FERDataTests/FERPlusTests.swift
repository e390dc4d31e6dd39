import FERData
import Foundation
import Testing

@Suite struct FERPlusTests {
    static let voteHeader = "Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF"

    /// fer2013.csv and fer2013new.csv side by side in a fresh directory.
    static func writePair(pixels: [String], votes: [String]) throws -> FERPlus {
        let pixelCSV = try FER2013Tests.writeCSV(["emotion,pixels,Usage"] + pixels)
        let voteCSV = pixelCSV.deletingLastPathComponent().appendingPathComponent("fer2013new.csv")
        try ([voteHeader] + votes).joined(separator: "\n").write(to: voteCSV, atomically: true, encoding: .utf8)
        return FERPlus(fer2013: pixelCSV, votes: voteCSV)
    }

    @Test func theMajorityRuleDropsSingleVotesAndRequiresMoreThanHalf() {
        // neutral happiness surprise sadness anger disgust fear contempt unknown NF
        #expect(FERPlus.majorityColumn(votes: [0, 10, 0, 0, 0, 0, 0, 0, 0, 0]) == 1)
        #expect(FERPlus.majorityColumn(votes: [4, 4, 1, 1, 0, 0, 0, 0, 0, 0]) == nil)  // 4 of 8 is not more than half
        #expect(FERPlus.majorityColumn(votes: [5, 3, 1, 1, 0, 0, 0, 0, 0, 0]) == 0)  // single votes dropped: 5 of 8
        #expect(FERPlus.majorityColumn(votes: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]) == nil)
        #expect(FERPlus.majorityColumn(votes: [0, 0, 0, 0, 0, 0, 0, 0, 2, 8]) == 9)  // a majority for "not a face"
    }

    @Test func joinsVotesWithPixelsAndSkipsUnnamedUnknownAndNotAFaceRows() throws {
        let plus = try Self.writePair(
            pixels: [
                FER2013Tests.row("0", "Training"), FER2013Tests.row("3", "Training", offset: 7), FER2013Tests.row("6", "Training"),
                FER2013Tests.row("2", "Training"), FER2013Tests.row("4", "Training"), FER2013Tests.row("1", "PublicTest"),
            ],
            votes: [
                "Training,fer0000000.png,0,0,0,0,6,2,0,2,0,0",  // anger
                "Training,fer0000001.png,2,8,0,0,0,0,0,0,0,0",  // happiness
                "Training,,10,0,0,0,0,0,0,0,0,0",  // no image name
                "Training,fer0000003.png,0,0,0,0,0,0,0,3,7,0",  // unknown
                "Training,fer0000004.png,0,0,0,0,0,0,0,7,1,2",  // contempt, the eighth class
                "PublicTest,fer0000005.png,0,0,9,0,0,0,1,0,0,0",  // surprise
            ])
        defer { try? FileManager.default.removeItem(at: plus.votes.deletingLastPathComponent()) }
        let train = try plus.load(.train)
        #expect(train.classNames == Expression.names + ["contempt"])
        #expect(train.samples.map(\.id) == ["fer0000000", "fer0000001", "fer0000004"])
        #expect(train.samples.map(\.label) == [Expression.anger.rawValue, Expression.happiness.rawValue, 7])
        #expect(train.samples[0].softLabel == [0, 0, 0.2, 0, 0, 0.6, 0, 0.2])
        #expect(train.samples[2].softLabel == [0, 0, 0, 0, 0, 0, 0, 1])
        #expect(try train.samples[1].image().pixels.prefix(2) == [7, 8])
        #expect(try plus.load(.validation).samples.map(\.label) == [Expression.surprise.rawValue])
    }

    @Test func mismatchedFilesAndBadVotesAreErrorsNamingFileAndLine() throws {
        let cases: [([String], [String], String)] = [
            ([FER2013Tests.row("0", "Training")], ["Training,fer0000000.png,0,0,0,0,6,x,0,0,0,0"],
             "fer2013new.csv:2: malformed line (vote count \"x\""),
            ([FER2013Tests.row("0", "Training")], ["PublicTest,fer0000000.png,0,0,0,0,6,0,0,0,0,0"],
             "fer2013new.csv:2: malformed line (Usage \"PublicTest\" but fer2013.csv:2 is train"),
            ([FER2013Tests.row("0", "Training")], ["Training,fer0000000.png,0,0,0,0,6,0,0,0,0,0", "Training,fer0000001.png,9,0,0,0,0,0,0,0,0,0"],
             "fer2013new.csv:1: malformed line (2 rows, fer2013.csv has 1"),
            ([FER2013Tests.row("0", "Training")], ["Training,fer0000000.png,0,0,0,0,6,0,0,0,0"],
             "fer2013new.csv:2: malformed line (11 fields, the header has 12"),
        ]
        for (pixels, votes, expected) in cases {
            let plus = try Self.writePair(pixels: pixels, votes: votes)
            defer { try? FileManager.default.removeItem(at: plus.votes.deletingLastPathComponent()) }
            #expect { try plus.load(.train) } throws: { error in
                (error as? DatasetError)?.description.contains(expected) == true
            }
        }
    }
}
