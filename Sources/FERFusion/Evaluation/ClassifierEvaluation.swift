import FERNN
import FERTensor

extension UnaryLayer {
    /// Class probabilities `[N, classes]` for preprocessed `input`, in
    /// evaluation mode and without recording a graph (the module's mode is
    /// restored afterwards). With `flipTTA`, the probabilities of each image
    /// and its mirror image are averaged.
    public func classProbabilities(_ input: Tensor, flipTTA: Bool = false) -> Tensor {
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        return noGrad {
            let probabilities = self(Variable(input)).softmax(alongAxis: 1).value
            guard flipTTA else { return probabilities }
            let mirrored = self(Variable(flippedHorizontally(input))).softmax(alongAxis: 1).value
            return (probabilities + mirrored) * 0.5
        }
    }

    /// The confusion matrix and figures of the module's predictions on every
    /// batch of `batches` (preprocessed images), optionally with flip
    /// test-time augmentation; `progress` receives the images done so far.
    ///
    /// - Throws: what the batch source throws.
    public func evaluate(
        _ batches: BatchSequence<LabelledImages>, classNames: [String], flipTTA: Bool = false,
        progress: (Int) -> Void = { _ in }
    ) throws -> ClassificationMetrics {
        var metrics = ClassificationMetrics(classNames: classNames)
        while let batch = try batches.next() {
            let predictions = classProbabilities(batch.images, flipTTA: flipTTA).argmax(alongAxis: 1).scalars.map { Int($0) }
            metrics.add(predictions: predictions, labels: batch.labels)
            progress(metrics.count)
        }
        return metrics
    }
}
