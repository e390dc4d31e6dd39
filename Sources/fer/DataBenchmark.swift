import FERData
import FERTensor
import Foundation

/// `fer bench --suite data`: images per second through the loader (file
/// read, JPEG decode, the paper's augmentation preset, batching) on
/// synthetic 100x100 JPEGs in RAF-DB's layout.
struct DataBenchmark {
    var imageSize: Int
    var batch: Int
    var images: Int
    var json: Bool

    func run() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fer-bench-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try SyntheticFER(perClass: (images + 6) / 7, size: imageSize, seed: 0, testFraction: 0).write(to: root)
        let dataset = try RAFDB(root: root).load(.train)
        let loader = DataLoader(dataset: dataset, transform: Compose.paperTraining(size: imageSize), batchSize: batch, seed: 0)
        _ = try loader.batches(epoch: 0).next()  // warm the file cache and the threads
        let start = DispatchTime.now().uptimeNanoseconds
        var count = 0
        let epoch = loader.batches(epoch: 1)
        while let batch = try epoch.next() { count += batch.labels.count }
        let rate = Double(count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        if json {
            print("""
                {"impl": "ferkit", "version": "\(FERKitVersion.string)", "suite": "data", "size": \(imageSize), \
                "batch": \(batch), "workers": \(loader.workers), "images": \(count), "preset": "paper", \
                "decode_augment_img_s": \((rate * 10).rounded() / 10)}
                """)
        } else {
            print("data: \(count) JPEGs of \(imageSize)x\(imageSize), paper preset, \(loader.workers) workers: \(String(format: "%.0f", rate)) images/s")
        }
    }
}
