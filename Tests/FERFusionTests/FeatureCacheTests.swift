import FERBackbones
import FERFusion
import FERNN
import FERTensor
import Foundation
import Testing

@Suite struct FeatureCacheTests {
    static func batches() -> [LabelledImages] {
        var generator = RandomGenerator(seed: 51)
        return [(0..<3), (3..<5)].map { range in
            LabelledImages(
                images: Tensor.randomNormal([range.count, 3, 32, 32], using: &generator), labels: range.map { $0 % 7 },
                ids: range.map { "image\($0)" })
        }
    }

    @Test func extractionKeepsEveryViewWithItsLabelAndTheBackbonesOwnOutputs() {
        let model = FusionModelTests.model(.early)
        var seen: [Int] = []
        let cache = FeatureCache.extract(from: model, batches: Self.batches(), addingFlippedViews: true) { seen.append($0) }
        #expect(cache.count == 10 && seen == [3, 6, 8, 10])
        #expect(cache.ids == ["image0", "image1", "image2", "image0", "image1", "image2", "image3", "image4", "image3", "image4"])
        #expect(cache.flipped == [false, false, false, true, true, true, false, false, true, true])
        #expect(cache.labels == [0, 1, 2, 0, 1, 2, 3, 4, 3, 4])
        let images = Self.batches()[0].images
        let direct = noGrad { model.first.features(Variable(images)) }.value
        #expect((cache.first.sliced(axis: 0, range: 0..<3) - direct).abs().max().item < 1e-5)
        let mirrored = images.indexSelected(axis: 3, indices: Array((0..<32).reversed()))
        let mirroredLogits = noGrad { model.second(Variable(mirrored)) }.value
        #expect((cache.secondLogits.sliced(axis: 0, range: 3..<6) - mirroredLogits).abs().max().item < 1e-4)
    }

    @Test func aWrittenCacheReadsBackAndBadFilesAreErrorsNamingTheFile() throws {
        let cache = FeatureCache.extract(from: FusionModelTests.model(.late), batches: Self.batches())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fer-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("features.safetensors")
        try cache.write(to: url)
        let read = try FeatureCache(contentsOf: url)
        #expect(read.first == cache.first && read.secondLogits == cache.secondLogits)
        #expect(read.labels == cache.labels && read.ids == cache.ids && read.flipped == cache.flipped)
        #expect(read.classNames == cache.classNames)

        var archive = try SafetensorsArchive.read(contentsOf: url)
        archive.tensors["labels"] = Tensor(shape: [5], scalars: [0, 1, 2, 3, 9])
        try archive.write(to: url)
        #expect(throws: FeatureCacheError.inconsistent(file: url.path, reason: "label 9 outside the 7 classes")) {
            try FeatureCache(contentsOf: url)
        }
        archive.tensors["second"] = nil
        try archive.write(to: url)
        #expect(throws: FeatureCacheError.missingEntry(file: url.path, key: "second")) { try FeatureCache(contentsOf: url) }
    }
}
