import Foundation
import Testing
@testable import FERTensor

/// Name used for in-memory files in errors.
private let name = "test.safetensors"

/// Little-endian bytes of `values`.
private func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.littleEndian, Array.init) }
}

/// A safetensors file: the length of `header` (or `claimedLength`), `header`, then `data`.
private func fileBytes(header: String, data: [UInt8] = [], claimedLength: UInt64? = nil) -> Data {
    let json = Array(header.utf8)
    return Data(littleEndianBytes([claimedLength ?? UInt64(json.count)]) + json + data)
}

/// Reads an in-memory file made by `fileBytes`.
private func read(header: String, data: [UInt8] = [], claimedLength: UInt64? = nil) throws -> SafetensorsArchive {
    try SafetensorsArchive.read(from: fileBytes(header: header, data: data, claimedLength: claimedLength), name: name)
}

/// A header entry's JSON text.
private func entry(_ key: String, dtype: String = "F32", shape: String, offsets: String) -> String {
    "\"\(key)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
}

/// A fresh empty directory, removed when the test's `body` returns.
private func withTemporaryDirectory(_ body: (URL) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferkit-safetensors-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try body(directory)
}

/// A small archive with rank-0, empty and multi-axis tensors and metadata.
private func sampleArchive() -> SafetensorsArchive {
    SafetensorsArchive(
        tensors: [
            "conv1.weight": randomTensor([4, 3, 3, 3], seed: 1),
            "fc.bias": randomTensor([7], seed: 2),
            "bn1.num_batches_tracked": Tensor(12),
            "empty": Tensor.zeros([0]),
            "empty.rows": Tensor.zeros([2, 0, 3]),
        ],
        metadata: ["architecture": "resnet18", "classes": "surprise,fear", "note": "quote \" backslash \\ newline \n é 表"])
}

@Suite struct SafetensorsRoundTripTests {
    @Test func writtenArchiveReadsBackIdentically() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("model.safetensors")
            let archive = sampleArchive()
            try archive.write(to: url)
            let loaded = try SafetensorsArchive.read(contentsOf: url)
            #expect(loaded == archive)
            #expect(loaded.metadata == archive.metadata)
            #expect(loaded["bn1.num_batches_tracked"]?.shape == [])
            #expect(loaded["empty.rows"]?.shape == [2, 0, 3])
            #expect(loaded.keys == archive.tensors.keys.sorted())
        }
    }

    @Test func readingFromDiskAndFromDataAgree() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("model.safetensors")
            try sampleArchive().write(to: url)
            let fromData = try SafetensorsArchive.read(from: Data(contentsOf: url), name: url.path)
            let fromDisk = try SafetensorsArchive.read(contentsOf: url)
            #expect(fromDisk == fromData)
        }
    }

    @Test func writtenHeaderIsPaddedSortedAndContiguous() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("layout.safetensors")
            let archive = SafetensorsArchive(
                tensors: ["b": Tensor([1, 2]), "a": Tensor([3, 4, 5]), "c.weight": Tensor(6)],
                metadata: ["arch": "vgg"])
            try archive.write(to: url)
            let bytes = [UInt8](try Data(contentsOf: url))
            let json = #"{"__metadata__":{"arch":"vgg"},"#
                + #""a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"#
                + #""b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]},"#
                + #""c.weight":{"dtype":"F32","shape":[],"data_offsets":[20,24]}}"#
            let padded = json + String(repeating: " ", count: (8 - json.utf8.count % 8) % 8)
            let expected = littleEndianBytes([UInt64(padded.utf8.count)]) + Array(padded.utf8)
                + littleEndianBytes([Float](arrayLiteral: 3, 4, 5, 1, 2, 6).map(\.bitPattern))
            #expect(padded.utf8.count % 8 == 0)
            #expect(bytes == expected)
        }
    }

    @Test func rewritingReplacesTheFileAndLeavesNoTemporaryFiles() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("model.safetensors")
            try sampleArchive().write(to: url)
            let replacement = SafetensorsArchive(tensors: ["only": Tensor([1])])
            try replacement.write(to: url)
            let loaded = try SafetensorsArchive.read(contentsOf: url)
            #expect(loaded == replacement)
            let remaining = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            #expect(remaining == ["model.safetensors"])
        }
    }

    @Test func tensorNamedLikeMetadataIsNotWritten() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("reserved.safetensors")
            #expect(throws: SafetensorsError.reservedKey(file: url.path, key: "__metadata__")) {
                try SafetensorsArchive(tensors: ["__metadata__": Tensor([1])]).write(to: url)
            }
            let remaining = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            #expect(remaining.isEmpty)
        }
    }

    @Test func writingIntoMissingDirectoryReportsTheSystemError() throws {
        let url = URL(fileURLWithPath: "/nonexistent-ferkit-directory/model.safetensors")
        let error = #expect(throws: SafetensorsError.self) { try sampleArchive().write(to: url) }
        guard case let .io(file, _, message)? = error else { Issue.record("expected .io, got \(String(describing: error))"); return }
        #expect(file == url.path)
        #expect(message == "No such file or directory")
    }

    @Test func readingMissingFileReportsTheSystemError() {
        let path = "/nonexistent-ferkit-directory/model.safetensors"
        #expect(throws: SafetensorsError.io(file: path, operation: "open", message: "No such file or directory")) {
            try SafetensorsArchive.read(contentsOf: URL(fileURLWithPath: path))
        }
    }

    @Test func keysFollowHeaderOrderThenAddedKeysSorted() throws {
        let header = "{" + entry("z", shape: "[1]", offsets: "[0,4]") + "," + entry("a", shape: "[1]", offsets: "[4,8]") + "}"
        var archive = try read(header: header, data: [UInt8](repeating: 0, count: 8))
        #expect(archive.keys == ["z", "a"])
        archive["m"] = Tensor([1])
        archive["b"] = Tensor([1])
        archive["z"] = nil
        #expect(archive.keys == ["a", "b", "m"])
    }
}

@Suite struct SafetensorsDecodingTests {
    /// A file laid out as Python's `safetensors.torch.save_file` writes it
    /// (compact JSON, metadata first, space padding), holding F16, BF16 and
    /// I64 tensors of known values, with keys deliberately not sorted.
    static let pythonFixture: Data = {
        let half: [UInt16] = [
            0x3C00, 0xC100, 0x7BFF, 0x0001, 0x03FF, // 1, -2.5, 65504, 2⁻²⁴, largest subnormal
            0x0400, 0x7C00, 0xFC00, 0x8000, 0x7E00, // smallest normal, inf, -inf, -0, NaN
        ]
        let brain: [UInt16] = [0x3F80, 0xC020, 0x7F7F, 0x0001, 0xFF80, 0x7FC0] // 1, -2.5, max, 2⁻¹³³, -inf, NaN
        let labels: [Int64] = [0, 6, -1, 1 << 40]
        let json = #"{"__metadata__":{"format":"pt"},"#
            + #""labels":{"dtype":"I64","shape":[4],"data_offsets":[0,32]},"#
            + #""half":{"dtype":"F16","shape":[2,5],"data_offsets":[32,52]},"#
            + #""brain":{"dtype":"BF16","shape":[6],"data_offsets":[52,64]}}"#
        let padded = json + String(repeating: " ", count: (8 - json.utf8.count % 8) % 8)
        return Data(littleEndianBytes([UInt64(padded.utf8.count)]) + Array(padded.utf8)
            + littleEndianBytes(labels) + littleEndianBytes(half) + littleEndianBytes(brain))
    }()

    @Test func pythonFixtureDecodesHalfBFloatAndInt64() throws {
        let archive = try SafetensorsArchive.read(from: SafetensorsDecodingTests.pythonFixture, name: "fixture.safetensors")
        #expect(archive.keys == ["labels", "half", "brain"])
        #expect(archive.metadata == ["format": "pt"])
        #expect(archive["labels"] == Tensor([0, 6, -1, 1_099_511_627_776]))
        let half = try #require(archive["half"])
        #expect(half.shape == [2, 5])
        #expect(Array(half.scalars.prefix(9)) == [
            1, -2.5, 65504, 0x1p-24, 1023 * 0x1p-24, 0x1p-14, .infinity, -.infinity, -0.0,
        ])
        #expect(half.scalars[8].sign == .minus, "negative zero keeps its sign")
        #expect(half.scalars[9].isNaN)
        let brain = try #require(archive["brain"]).scalars
        #expect(Array(brain.prefix(5)) == [1, -2.5, Float(bitPattern: 0x7F7F_0000), 0x1p-133, -.infinity])
        #expect(brain[5].isNaN)
    }

    @Test func integerFloatAndBooleanDTypesConvertByValue() throws {
        let data = littleEndianBytes([Double(-1.5), 1e300].map(\.bitPattern)) // F64 [0, 16)
            + littleEndianBytes([Int32(-7), Int32.max])                       // I32 [16, 24)
            + littleEndianBytes([Int16(-300), 300])                           // I16 [24, 28)
            + [0xFF, 0x7F]                                                    // I8 [28, 30): -1, 127
            + [0xFF, 0x00]                                                    // U8 [30, 32): 255, 0
            + [0x00, 0x01, 0x02]                                              // BOOL [32, 35)
        let header = "{" + [
            entry("f64", dtype: "F64", shape: "[2]", offsets: "[0,16]"),
            entry("i32", dtype: "I32", shape: "[2]", offsets: "[16,24]"),
            entry("i16", dtype: "I16", shape: "[2]", offsets: "[24,28]"),
            entry("i8", dtype: "I8", shape: "[2]", offsets: "[28,30]"),
            entry("u8", dtype: "U8", shape: "[2]", offsets: "[30,32]"),
            entry("bool", dtype: "BOOL", shape: "[3]", offsets: "[32,35]"),
        ].joined(separator: ",") + "}"
        let archive = try read(header: header, data: data)
        #expect(archive["f64"] == Tensor([-1.5, .infinity]))
        #expect(archive["i32"] == Tensor([-7, Float(Int32.max)]))
        #expect(archive["i16"] == Tensor([-300, 300]))
        #expect(archive["i8"] == Tensor([-1, 127]))
        #expect(archive["u8"] == Tensor([255, 0]))
        #expect(archive["bool"] == Tensor([0, 1, 1]))
    }

    @Test func unalignedFloat32DataIsRead() throws {
        // An 8-byte empty I8 tensor shifts the F32 data off 4-byte alignment.
        let header = "{" + entry("pad", dtype: "U8", shape: "[1]", offsets: "[0,1]") + ","
            + entry("x", shape: "[2]", offsets: "[1,9]") + "}"
        let archive = try read(header: header, data: [9] + littleEndianBytes([Float(1.25), -3].map(\.bitPattern)))
        #expect(archive["x"] == Tensor([1.25, -3]))
    }

    #if !(os(macOS) && arch(x86_64))
    @Test func halfConversionMatchesFloat16ForEveryBitPattern() {
        for bits in UInt16.min...UInt16.max {
            let expected = Float(Float16(bitPattern: bits))
            let actual = HalfPrecision.float(fromHalfBits: bits)
            if expected.isNaN {
                #expect(actual.isNaN, "bits 0x\(String(bits, radix: 16))")
            } else if actual.bitPattern != expected.bitPattern {
                Issue.record("bits 0x\(String(bits, radix: 16)): \(actual) vs \(expected)")
                return
            }
        }
    }
    #endif

    @Test func bfloat16ConversionIsTheUpperHalfOfFloat32() {
        for value: Float in [1, -2.5, 0x1p-130, .infinity, -0.0, .greatestFiniteMagnitude] {
            let upper = UInt16(value.bitPattern >> 16)
            #expect(HalfPrecision.float(fromBFloat16Bits: upper).bitPattern == value.bitPattern & 0xFFFF_0000)
        }
        #expect(HalfPrecision.float(fromBFloat16Bits: 0x7FC1).isNaN)
    }

    @Test func headerJSONEscapesAndWhitespaceAreAccepted() throws {
        let header = " { \"caf\\u00e9 \\ud83d\\ude00\\n\" : { \"shape\" : [ 1 ] , \"dtype\" : \"F32\" ,"
            + " \"data_offsets\" : [ 0 , 4 ] , \"extra\" : [ true, false, null, -1.5e3, {} ] } }  "
        let archive = try read(header: header, data: littleEndianBytes([Float(2).bitPattern]))
        #expect(archive.keys == ["café 😀\n"])
        #expect(archive["café 😀\n"] == Tensor([2]))
    }
}

@Suite struct SafetensorsValidationTests {
    private let oneFloat = littleEndianBytes([Float(1).bitPattern])

    @Test func fileShorterThanTheLengthFieldIsRejected() {
        #expect(throws: SafetensorsError.fileTooShort(file: name, size: 5)) {
            try SafetensorsArchive.read(from: Data([1, 2, 3, 4, 5]), name: name)
        }
    }

    @Test func headerLengthBeyondTheFileIsRejected() {
        #expect(throws: SafetensorsError.headerLengthExceedsFile(file: name, headerLength: 100, available: 2)) {
            try read(header: "{}", claimedLength: 100)
        }
    }

    @Test func headerLengthBeyondTheLimitIsRejected() {
        let claimed: UInt64 = 1 << 62
        #expect(throws: SafetensorsError.headerLengthExceedsLimit(
            file: name, headerLength: claimed, limit: SafetensorsArchive.maximumHeaderLength)) {
            try read(header: "{}", claimedLength: claimed)
        }
    }

    @Test func malformedJSONIsRejectedWithItsOffset() {
        #expect(throws: SafetensorsError.invalidJSON(file: name, offset: 8 + 6, reason: "unexpected '}'")) {
            try read(header: #"{"a": }"#)
        }
        #expect(throws: SafetensorsError.invalidJSON(file: name, offset: 8 + 2, reason: "unexpected 'x' after the value")) {
            try read(header: "{}x")
        }
        #expect(throws: SafetensorsError.self) { try read(header: #"{"a": "\x"}"#) }
        #expect(throws: SafetensorsError.self) { try read(header: String(repeating: "[", count: 10_000)) }
    }

    @Test func headerThatIsNotAnObjectIsRejected() {
        #expect(throws: SafetensorsError.headerNotObject(file: name, found: "[1,2]")) { try read(header: "[1, 2]") }
    }

    @Test func entriesMissingAFieldAreRejected() {
        for field in ["dtype", "shape", "data_offsets"] {
            let members = [#""dtype":"F32""#, #""shape":[1]"#, #""data_offsets":[0,4]"#].filter { !$0.contains(field + "\"") }
            #expect(throws: SafetensorsError.missingField(file: name, key: "w", field: field)) {
                try read(header: #"{"w":{"# + members.joined(separator: ",") + "}}", data: oneFloat)
            }
        }
    }

    @Test func fieldsOfTheWrongTypeAreRejected() {
        #expect(throws: SafetensorsError.invalidField(
            file: name, key: "w", field: "shape", expected: "an array of non-negative integers", found: "[1.5]")) {
            try read(header: "{" + entry("w", shape: "[1.5]", offsets: "[0,4]") + "}", data: oneFloat)
        }
        #expect(throws: SafetensorsError.invalidField(
            file: name, key: "w", field: "data_offsets", expected: "two non-negative integers [begin, end]", found: "[0]")) {
            try read(header: "{" + entry("w", shape: "[1]", offsets: "[0]") + "}", data: oneFloat)
        }
        #expect(throws: SafetensorsError.invalidField(
            file: name, key: "__metadata__", field: "epochs", expected: "a string", found: "3")) {
            try read(header: #"{"__metadata__":{"epochs":3}}"#)
        }
    }

    @Test func unknownDTypeIsRejected() {
        #expect(throws: SafetensorsError.unsupportedDType(file: name, key: "w", dtype: "F8_E4M3")) {
            try read(header: "{" + entry("w", dtype: "F8_E4M3", shape: "[1]", offsets: "[0,1]") + "}", data: [0])
        }
    }

    @Test func negativeAndOverflowingShapesAreRejected() {
        #expect(throws: SafetensorsError.negativeExtent(file: name, key: "w", shape: "[2,-1]")) {
            try read(header: "{" + entry("w", shape: "[2, -1]", offsets: "[0,4]") + "}", data: oneFloat)
        }
        #expect(throws: SafetensorsError.shapeOverflow(file: name, key: "w", shape: "[4611686018427387904,4]", dtype: "F32")) {
            try read(header: "{" + entry("w", shape: "[4611686018427387904, 4]", offsets: "[0,4]") + "}", data: oneFloat)
        }
        #expect(throws: SafetensorsError.shapeOverflow(file: name, key: "w", shape: "[99999999999999999999]", dtype: "F32")) {
            try read(header: "{" + entry("w", shape: "[99999999999999999999]", offsets: "[0,4]") + "}", data: oneFloat)
        }
    }

    @Test func hugeTensorClaimIsRejectedAgainstTheFileSize() {
        // 4 TiB claimed in a 4-byte data section: rejected before any allocation.
        #expect(throws: SafetensorsError.offsetsOutOfBounds(file: name, key: "w", begin: 0, end: 1 << 42, dataLength: 4)) {
            try read(header: "{" + entry("w", shape: "[1099511627776]", offsets: "[0,4398046511104]") + "}", data: oneFloat)
        }
    }

    @Test func reversedOffsetsAreRejected() {
        #expect(throws: SafetensorsError.offsetsReversed(file: name, key: "w", begin: 4, end: 0)) {
            try read(header: "{" + entry("w", shape: "[1]", offsets: "[4,0]") + "}", data: oneFloat + oneFloat)
        }
    }

    @Test func overlappingOffsetsAreRejected() {
        let header = "{" + entry("a", shape: "[2]", offsets: "[0,8]") + "," + entry("b", shape: "[2]", offsets: "[4,12]") + "}"
        #expect(throws: SafetensorsError.offsetsOverlap(
            file: name, key: "b", begin: 4, end: 12, otherKey: "a", otherBegin: 0, otherEnd: 8)) {
            try read(header: header, data: [UInt8](repeating: 0, count: 12))
        }
    }

    @Test func emptyTensorsNeverOverlap() throws {
        let header = "{" + entry("a", shape: "[1]", offsets: "[0,4]") + "," + entry("b", shape: "[0,5]", offsets: "[2,2]") + "}"
        let archive = try read(header: header, data: oneFloat)
        #expect(archive["b"]?.shape == [0, 5])
    }

    @Test func byteCountMustMatchDTypeTimesShape() {
        #expect(throws: SafetensorsError.sizeMismatch(
            file: name, key: "w", dtype: "F16", shape: [3], expectedBytes: 6, foundBytes: 8)) {
            try read(header: "{" + entry("w", dtype: "F16", shape: "[3]", offsets: "[0,8]") + "}", data: oneFloat + oneFloat)
        }
    }

    @Test func duplicateKeysAreRejected() {
        let header = "{" + entry("w", shape: "[1]", offsets: "[0,4]") + "," + entry("w", shape: "[1]", offsets: "[4,8]") + "}"
        #expect(throws: SafetensorsError.duplicateKey(file: name, key: "w", within: nil)) {
            try read(header: header, data: oneFloat + oneFloat)
        }
        #expect(throws: SafetensorsError.duplicateKey(file: name, key: "dtype", within: "w")) {
            try read(header: #"{"w":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}}"#, data: oneFloat)
        }
    }

    @Test func everyTruncationOfAValidFileIsRejected() throws {
        let bytes = fileBytes(
            header: "{" + entry("a", shape: "[2]", offsets: "[0,8]") + "," + entry("b", dtype: "U8", shape: "[1]", offsets: "[8,9]") + "}",
            data: oneFloat + oneFloat + [1])
        _ = try SafetensorsArchive.read(from: bytes, name: name)
        for length in 0..<bytes.count {
            #expect(throws: SafetensorsError.self, "prefix of \(length) bytes") {
                try SafetensorsArchive.read(from: bytes.prefix(length), name: name)
            }
        }
    }

    @Test func corruptedHeaderBytesOnlyEverThrowSafetensorsErrors() throws {
        let original = [UInt8](SafetensorsDecodingTests.pythonFixture)
        for position in 0..<original.count where position < 200 {
            for replacement: UInt8 in [0x00, 0x22, 0x2C, 0x5B, 0x7B, 0x7D, 0x31, 0xFF] {
                var corrupted = original
                corrupted[position] = replacement
                do {
                    _ = try SafetensorsArchive.read(from: Data(corrupted), name: name)
                } catch {
                    #expect(error is SafetensorsError, "byte \(position) set to \(replacement): \(error)")
                }
            }
        }
    }

    @Test func errorDescriptionsNameFileKeyAndExpectation() {
        let error = SafetensorsError.sizeMismatch(file: "m.safetensors", key: "fc.weight", dtype: "F32", shape: [7, 512], expectedBytes: 14336, foundBytes: 14332)
        #expect(error.description == "m.safetensors: entry \"fc.weight\" of dtype F32 and shape [7, 512] needs 14336 bytes, data_offsets span 14332")
        #expect(SafetensorsError.unsupportedDType(file: "m", key: "k", dtype: "X").description.contains("F32, F16, BF16"))
    }
}
