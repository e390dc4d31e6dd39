import Foundation
import FERTensor

/// A procedurally drawn facial-expression dataset for demos and tests,
/// written as real JPEG files in RAF-DB's exact layout so that `RAFDB` reads
/// it like the real thing.
///
/// Expressions show in the mouth, brows and eyes; identity, pose, lighting,
/// intensity (some faces are barely expressive) and noise vary, so a small
/// CNN does not reach 100% after a short training.
public struct SyntheticFER: Sendable {
    /// Images per class on average.
    public var perClass: Int
    /// Side of the square images, in pixels (RAF-DB's aligned faces are 100).
    public var size: Int
    /// Seed of every random choice.
    public var seed: UInt64
    /// Class counts in RAF-DB's proportions instead of balanced.
    public var imbalanced: Bool
    /// Share of each class written to the test split.
    public var testFraction: Double

    /// A synthetic set description; `write(to:)` renders it.
    public init(perClass: Int, size: Int = 100, seed: UInt64 = 0, imbalanced: Bool = false, testFraction: Double = 0.2) {
        precondition(perClass > 0 && size >= 32, "SyntheticFER: perClass must be positive and size at least 32")
        precondition((0..<1).contains(testFraction), "SyntheticFER: testFraction must be in [0, 1)")
        self.perClass = perClass
        self.size = size
        self.seed = seed
        self.imbalanced = imbalanced
        self.testFraction = testFraction
    }

    /// RAF-DB basic's training-set class shares (surprise ... neutral).
    static let rafdbShares: [Double] = [1290, 281, 717, 4772, 1982, 705, 2524].map { $0 / 12271 }

    /// Images per class, in canonical order.
    public var classCounts: [Int] {
        guard imbalanced else { return [Int](repeating: perClass, count: Expression.allCases.count) }
        return Self.rafdbShares.map { max(2, Int((Double(perClass * 7) * $0).rounded())) }
    }

    /// One face of `expression` drawn from the sample generator `generator`.
    public func render(_ expression: Expression, using generator: inout RandomGenerator) -> Image {
        FaceRenderer(size: size).render(expression, using: &generator)
    }

    /// Renders the set into `root` (`EmoLabel/list_patition_label.txt`,
    /// `Image/aligned/*_aligned.jpg`), in parallel; `progress` hears
    /// (images written, total). Returns the train and test sizes.
    @discardableResult
    public func write(to root: URL, progress: ((Int, Int) -> Void)? = nil) throws -> (train: Int, test: Int) {
        var generator = RandomGenerator(seed: seed)
        // (split, label) per image, shuffled so that the numbering mixes classes like RAF-DB's.
        var entries: [(test: Bool, expression: Expression)] = []
        for (expression, count) in zip(Expression.allCases, classCounts) {
            let testCount = Int((Double(count) * testFraction).rounded())
            entries += (0..<count).map { (test: $0 < testCount, expression: expression) }
        }
        entries.shuffle(using: &generator)
        let trainEntries = entries.filter { !$0.test }, testEntries = entries.filter(\.test)
        let named = trainEntries.enumerated().map { (String(format: "train_%05d", $0.offset + 1), $0.element.expression) }
            + testEntries.enumerated().map { (String(format: "test_%04d", $0.offset + 1), $0.element.expression) }

        let imageDirectory = root.appendingPathComponent("Image/aligned")
        let labelURL = root.appendingPathComponent(RAFDB.labelFile)
        do {
            try FileManager.default.createDirectory(at: imageDirectory, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: labelURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw ImageError.encodingFailed(destination: root.path, reason: (error as NSError).localizedDescription)
        }
        let sampleSeeds = named.map { _ in generator.next() }
        let tally = WorkerTally()
        Parallel.forEach(named.count) { index in
            var sampleGenerator = RandomGenerator(seed: sampleSeeds[index])
            let image = render(named[index].1, using: &sampleGenerator)
            do {
                try image.write(to: imageDirectory.appendingPathComponent(named[index].0 + "_aligned.jpg"), jpegQuality: 92)
            } catch {
                tally.record(error)
            }
            let done = tally.increment()
            if let progress, done % 100 == 0 || done == named.count { progress(done, named.count) }
        }
        if let error = tally.firstError { throw error }
        let labels = named.map { "\($0.0).jpg \($0.1.rawValue + 1)" }.joined(separator: "\n") + "\n"
        do {
            try labels.write(to: labelURL, atomically: true, encoding: .utf8)
        } catch {
            throw ImageError.encodingFailed(destination: labelURL.path, reason: (error as NSError).localizedDescription)
        }
        return (trainEntries.count, testEntries.count)
    }
}

/// The first error and a count of finished items, shared by worker threads.
final class WorkerTally: @unchecked Sendable {
    private let lock = NSLock()
    private var error: Error?
    private var count = 0

    var firstError: Error? { lock.withLock { error } }

    func record(_ error: Error) { lock.withLock { if self.error == nil { self.error = error } } }

    func increment() -> Int { lock.withLock { count += 1; return count } }
}
