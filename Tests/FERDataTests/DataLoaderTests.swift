import FERData
import FERTensor
import Foundation
import Testing

@Suite struct DataLoaderTests {
    /// In-memory samples: image i is a constant gray level i, label i % classes.
    static func dataset(count: Int, classes: Int = 3, labels: [Int]? = nil) -> FERDataset {
        let samples = (0..<count).map { index in
            Sample(id: "s\(index)", source: .pixels(Image(width: 8, height: 6, channels: 1, pixels: [UInt8](repeating: UInt8(index % 256), count: 48))),
                   label: labels?[index] ?? index % classes)
        }
        return FERDataset(name: "memory", classNames: (0..<classes).map { "c\($0)" }, samples: samples)
    }

    static func drain(_ loader: DataLoader, epoch: Int) throws -> [Batch] {
        let iterator = loader.batches(epoch: epoch)
        var batches: [Batch] = []
        while let batch = try iterator.next() { batches.append(batch) }
        return batches
    }

    @Test func batchesCoverEverySampleOnceWithTheirLabels() throws {
        let loader = DataLoader(dataset: Self.dataset(count: 10), transform: Compose([]), batchSize: 4, order: .shuffled, seed: 1)
        let batches = try Self.drain(loader, epoch: 0)
        #expect(batches.map { $0.images.shape } == [[4, 3, 6, 8], [4, 3, 6, 8], [2, 3, 6, 8]])
        let ids = batches.flatMap(\.ids)
        #expect(Set(ids).count == 10)
        for batch in batches {
            for (row, id) in batch.ids.enumerated() {
                let index = Int(id.dropFirst())!
                #expect(batch.labels[row] == index % 3)
                #expect(abs(batch.images[row, 2, 0, 0] - Float(index) / 255) < 1e-6)
            }
        }
        let dropping = DataLoader(dataset: Self.dataset(count: 10), transform: Compose([]), batchSize: 4, dropLast: true)
        #expect(try Self.drain(dropping, epoch: 0).count == 2)
    }

    @Test func outputDependsOnSeedAndEpochNotOnWorkers() throws {
        let augment = Compose([HorizontalFlip(), RandomErasing(probability: 0.5)])
        func run(workers: Int, seed: UInt64, epoch: Int) throws -> [Float] {
            let loader = DataLoader(dataset: Self.dataset(count: 12), transform: augment, batchSize: 5, seed: seed, workers: workers, prefetch: 1)
            return try Self.drain(loader, epoch: epoch).flatMap { $0.images.scalars + $0.labels.map(Float.init) }
        }
        let reference = try run(workers: 1, seed: 9, epoch: 2)
        #expect(try run(workers: 3, seed: 9, epoch: 2) == reference)
        #expect(try run(workers: 2, seed: 9, epoch: 3) != reference)
        #expect(try run(workers: 2, seed: 8, epoch: 2) != reference)
    }

    @Test func aSampleThatFailsToLoadIsAnErrorAtItsBatch() throws {
        var dataset = Self.dataset(count: 6)
        dataset.samples[4].source = .file(URL(fileURLWithPath: "/nonexistent/broken.jpg"))
        let iterator = DataLoader(dataset: dataset, transform: Compose([]), batchSize: 2, order: .sequential).batches(epoch: 0)
        #expect(try iterator.next() != nil)
        #expect(try iterator.next() != nil)
        #expect(throws: ImageError.self) { try iterator.next() }
    }

    @Test func classBalancedSamplingEvensOutClasses() {
        let labels = (0..<300).map { $0 < 240 ? 0 : ($0 < 285 ? 1 : 2) }
        let dataset = Self.dataset(count: 300, labels: labels)
        let loader = DataLoader(dataset: dataset, transform: Compose([]), batchSize: 10, order: .classBalanced, seed: 4)
        var counts = [0, 0, 0]
        for epoch in 0..<10 { for index in loader.sampleOrder(epoch: epoch) { counts[labels[index]] += 1 } }
        for count in counts { #expect(abs(Double(count) / 3000 - 1.0 / 3) < 0.04) }
        let weights = dataset.balancedClassWeights
        #expect(abs(weights[0] - 300.0 / (3 * 240)) < 1e-6 && abs(weights[2] - 300.0 / (3 * 15)) < 1e-6)
    }

    @Test func stratifiedSplitKeepsClassSharesAndIsSeeded() {
        let labels = (0..<200).map { $0 < 150 ? 0 : ($0 < 190 ? 1 : 2) }
        let dataset = Self.dataset(count: 200, labels: labels)
        let (train, validation) = dataset.stratifiedSplit(validationFraction: 0.1, seed: 5)
        #expect(validation.classCounts == [15, 4, 1])
        #expect(train.classCounts == [135, 36, 9])
        #expect(Set(train.samples.map(\.id)).isDisjoint(with: validation.samples.map(\.id)))
        #expect(dataset.stratifiedSplit(validationFraction: 0.1, seed: 5).validation.samples.map(\.id) == validation.samples.map(\.id))
        #expect(dataset.stratifiedSplit(validationFraction: 0.1, seed: 6).validation.samples.map(\.id) != validation.samples.map(\.id))
    }
}
