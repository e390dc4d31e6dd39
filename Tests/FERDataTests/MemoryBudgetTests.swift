import FERData
import FERTensor
import Foundation
import Testing

@Suite struct MemoryBudgetTests {
    @Test func aCSVLargerThanTheBudgetIsAnErrorBeforeItIsRead() throws {
        let csv = try FER2013Tests.writeCSV(["emotion,pixels,Usage", FER2013Tests.row("0", "Training")])
        defer { try? FileManager.default.removeItem(at: csv.deletingLastPathComponent()) }
        let size = try FileManager.default.attributesOfItem(atPath: csv.path)[.size] as! Int
        #expect(throws: MemoryBudgetError(what: "reading \(csv.path)", neededBytes: 2 * size, budgetBytes: 1000)) {
            try MemoryBudget.$limitBytes.withValue(1000) { try FER2013(csv: csv).load(.train) }
        }
        #expect(try FER2013(csv: csv).load(.train).count == 1, "the same file loads within the default budget")
    }

    @Test func batchesThatCannotBeHeldInFlightAreAnErrorAtTheFirstBatch() throws {
        let root = try RAFDBTests.makeTree((1...4).map { "train_0000\($0).jpg \($0)" })
        defer { try? FileManager.default.removeItem(at: root) }
        let loader = DataLoader(dataset: try RAFDB(root: root).load(.train), transform: Compose.evaluation(size: 64), batchSize: 2)
        // 4 batches in flight x 2 images x 3 x 64 x 64 floats = 196,608 bytes.
        let batches = MemoryBudget.$limitBytes.withValue(100_000) { loader.batches(epoch: 0) }
        #expect(throws: MemoryBudgetError.self) { try batches.next() }
        let unlimited = loader.batches(epoch: 0)
        #expect(try unlimited.next()?.images.shape == [2, 3, 64, 64])
    }

    @Test func theBudgetComesFromTheTaskThenTheSystem() {
        #expect(MemoryBudget.$limitBytes.withValue(123) { MemoryBudget.bytes } == 123)
        if let available = MemoryBudget.systemAvailableBytes {
            #expect(available > 0)
        }
        #expect(MemoryBudgetError(what: "x", neededBytes: 3 << 20, budgetBytes: 1 << 20).description.contains("3 MB"))
    }
}
