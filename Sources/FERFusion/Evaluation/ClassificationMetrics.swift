/// What a classifier got right and wrong on a labelled set: the confusion
/// matrix and the figures FER papers report from it (DESIGN.md section 7).
///
/// Definitions follow scikit-learn: recall and precision per class (0 when
/// undefined), mean class accuracy is the mean recall over classes that have
/// samples, macro-F1 the mean F1 over classes that occur as a label or as a
/// prediction.
public struct ClassificationMetrics: Codable, Sendable, Equatable {
    /// Class names, indexing the matrix.
    public let classNames: [String]
    /// `confusion[label][prediction]`: how many samples of class `label` were predicted as `prediction`.
    public private(set) var confusion: [[Int]]

    /// An empty tally over `classNames`.
    public init(classNames: [String]) {
        self.classNames = classNames
        confusion = Array(repeating: Array(repeating: 0, count: classNames.count), count: classNames.count)
    }

    /// A tally that continues from `confusion` (`confusion[label][prediction]`).
    ///
    /// - Precondition: `confusion` is square with one row per class and holds no negative count.
    public init(classNames: [String], confusion: [[Int]]) {
        precondition(
            confusion.count == classNames.count && confusion.allSatisfy { $0.count == classNames.count && $0.allSatisfy { $0 >= 0 } },
            "ClassificationMetrics: confusion must be \(classNames.count) x \(classNames.count) counts")
        self.classNames = classNames
        self.confusion = confusion
    }

    /// The tally of `predictions` against `labels`.
    public init(classNames: [String], predictions: [Int], labels: [Int]) {
        self.init(classNames: classNames)
        add(predictions: predictions, labels: labels)
    }

    /// Counts more predictions (e.g. one batch).
    public mutating func add(predictions: [Int], labels: [Int]) {
        precondition(predictions.count == labels.count, "ClassificationMetrics: \(predictions.count) predictions for \(labels.count) labels")
        for (prediction, label) in zip(predictions, labels) {
            precondition(
                classNames.indices.contains(prediction) && classNames.indices.contains(label),
                "ClassificationMetrics: class \(max(prediction, label)) outside 0..<\(classNames.count)")
            confusion[label][prediction] += 1
        }
    }

    /// Number of samples counted.
    public var count: Int { confusion.joined().reduce(0, +) }

    /// Samples of each class.
    public var support: [Int] { confusion.map { $0.reduce(0, +) } }

    /// Predictions of each class.
    public var predictedCounts: [Int] { classNames.indices.map { column in confusion.reduce(0) { $0 + $1[column] } } }

    /// Fraction of samples predicted right.
    public var accuracy: Double {
        count == 0 ? 0 : Double(classNames.indices.reduce(0) { $0 + confusion[$1][$1] }) / Double(count)
    }

    /// Per class: right predictions over the class's samples (0 without samples).
    public var recall: [Double] {
        zip(classNames.indices, support).map { index, total in total == 0 ? 0 : Double(confusion[index][index]) / Double(total) }
    }

    /// Per class: right predictions over the predictions of the class (0 without predictions).
    public var precision: [Double] {
        zip(classNames.indices, predictedCounts).map { index, total in total == 0 ? 0 : Double(confusion[index][index]) / Double(total) }
    }

    /// Per class: harmonic mean of precision and recall (0 when both are 0).
    public var f1: [Double] {
        zip(precision, recall).map { p, r in p + r == 0 ? 0 : 2 * p * r / (p + r) }
    }

    /// Mean recall over the classes that have samples.
    public var meanClassAccuracy: Double {
        let present = classNames.indices.filter { support[$0] > 0 }
        return present.isEmpty ? 0 : present.reduce(0) { $0 + recall[$1] } / Double(present.count)
    }

    /// Mean F1 over the classes that occur as a label or a prediction.
    public var macroF1: Double {
        let (support, predicted, f1) = (support, predictedCounts, f1)
        let present = classNames.indices.filter { support[$0] > 0 || predicted[$0] > 0 }
        return present.isEmpty ? 0 : present.reduce(0) { $0 + f1[$1] } / Double(present.count)
    }
}
