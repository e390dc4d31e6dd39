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

    @Test func extractionKeepsEveryViewWithItsLabelAndTheBackbonesOwnOutputs() throws {
        let model = FusionModelTests.model(.early)
        var seen: [Int] = []
        let first = try BackboneFeatures.extract(
            from: model.first, architecture: "resnet18", classNames: model.classNames, batches: BatchSequence(Self.batches()),
            addingFlippedViews: true) { seen.append($0) }
        #expect(first.count == 10 && seen == [3, 6, 8, 10])
        #expect(first.ids == ["image0", "image1", "image2", "image0", "image1", "image2", "image3", "image4", "image3", "image4"])
        #expect(first.flipped == [false, false, false, true, true, true, false, false, true, true])
        #expect(first.labels == [0, 1, 2, 0, 1, 2, 3, 4, 3, 4])
        let images = Self.batches()[0].images
        let direct = noGrad { model.first.features(Variable(images)) }.value
        #expect((first.features.sliced(axis: 0, range: 0..<3) - direct).abs().max().item < 1e-5)

        let cache = try FeatureCache.extract(from: model, batches: Self.batches(), addingFlippedViews: true)
        #expect(cache.first.features == first.features && cache.ids == first.ids && cache.first.architecture == "backbone1")
        let mirrored = images.indexSelected(axis: 3, indices: Array((0..<32).reversed()))
        let mirroredLogits = noGrad { model.second(Variable(mirrored)) }.value
        #expect((cache.second.logits.sliced(axis: 0, range: 3..<6) - mirroredLogits).abs().max().item < 1e-4)
    }

    @Test func featuresOfOtherRowsDoNotPair() throws {
        let model = FusionModelTests.model(.late)
        let cache = try FeatureCache.extract(from: model, batches: Self.batches())
        let fewer = cache.second.subset(rows: [0, 1, 2])
        #expect(throws: FeatureCacheError.self) { try FeatureCache(first: cache.first, second: fewer) }
        var relabelled = cache.second
        relabelled.labels[0] = 6
        #expect(throws: FeatureCacheError.unpaired(
            reason: "backbone1 (5 rows) and backbone2 (5 rows) differ in their labels")) {
            try FeatureCache(first: cache.first, second: relabelled)
        }
    }

    @Test func writtenFeaturesReadBackAndBadFilesAreErrorsNamingTheFile() throws {
        let cache = try FeatureCache.extract(from: FusionModelTests.model(.late), batches: Self.batches())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fer-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("features.safetensors")
        try cache.second.write(to: url)
        #expect(try BackboneFeatures(contentsOf: url) == cache.second)

        var archive = try SafetensorsArchive.read(contentsOf: url)
        archive.tensors["labels"] = Tensor(shape: [5], scalars: [0, 1, 2, 3, 9])
        try archive.write(to: url)
        #expect(throws: FeatureCacheError.inconsistent(file: url.path, reason: "label 9.0 outside the 7 classes")) {
            try BackboneFeatures(contentsOf: url)
        }
        archive.tensors["labels"] = Tensor(shape: [5], scalars: [0, 1, .nan, 3, 4])
        try archive.write(to: url)
        #expect(throws: FeatureCacheError.self) { try BackboneFeatures(contentsOf: url) }
        archive.tensors["logits"] = nil
        try archive.write(to: url)
        #expect(throws: FeatureCacheError.missingEntry(file: url.path, key: "logits")) { try BackboneFeatures(contentsOf: url) }
    }
}
