import FERTestSupport
import Foundation
import Testing
@testable import FERTensor

/// Mutated and truncated safetensors files: every case must read into a
/// valid archive or throw a `SafetensorsError`, never trap or allocate what
/// the file cannot hold.
@Suite struct SafetensorsFuzzTests {
    /// A file with F16, BF16, F32 and I64 tensors and metadata, built by hand.
    static let seed: [UInt8] = {
        let header = """
            {"__metadata__":{"format":"pt","note":"seed"},\
            "half":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},\
            "brain":{"dtype":"BF16","shape":[3],"data_offsets":[8,14]},\
            "single":{"dtype":"F32","shape":[2],"data_offsets":[14,22]},\
            "index":{"dtype":"I64","shape":[1],"data_offsets":[22,30]}}
            """
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }
        bytes += Array(header.utf8)
        bytes += [0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38, 0x00, 0x7C]  // F16: 1, -2, 0.5, inf
        bytes += [0x80, 0x3F, 0x00, 0x40, 0x40, 0x40]  // BF16: 1, 2, 3
        bytes += withUnsafeBytes(of: Float(1.5).bitPattern.littleEndian) { Array($0) }
        bytes += withUnsafeBytes(of: Float(-4).bitPattern.littleEndian) { Array($0) }
        bytes += withUnsafeBytes(of: Int64(7).littleEndian) { Array($0) }
        return bytes
    }()

    @Test func theSeedIsAValidFile() throws {
        let archive = try SafetensorsArchive.read(from: Data(Self.seed), name: "seed")
        #expect(archive["half"]?.scalars == [1, -2, 0.5, .infinity] && archive["brain"]?.scalars == [1, 2, 3])
        #expect(archive["single"]?.scalars == [1.5, -4] && archive["index"]?.scalars == [7] && archive.metadata["note"] == "seed")
    }

    @Test func mutatedFilesReadOrThrowATypedErrorNamingTheFile() {
        var mutator = Mutator(seed: 11)
        var accepted = 0, rejected = 0
        for index in 0..<2500 {
            let input = mutator.mutate(Self.seed)
            do {
                let archive = try SafetensorsArchive.read(from: Data(input), name: "case\(index)")
                // Whatever was accepted is consistent: every tensor's elements lie inside the file.
                #expect(archive.tensors.values.reduce(0) { $0 + $1.count } <= input.count)
                accepted += 1
            } catch let error as SafetensorsError {
                #expect(error.description.contains("case\(index)"), "\(error)")
                rejected += 1
            } catch {
                Issue.record("case \(index): untyped error \(error)")
            }
        }
        #expect(accepted > 0 && rejected > 0, "accepted \(accepted), rejected \(rejected)")
    }
}
