import FERFusion
import FERNN
import FERTensor

/// Two feature views of a labelled set: each class has its own mean in
/// both views, plus Gaussian noise, so a fusion head can learn the labels.
struct SyntheticFeatures {
    let first: Tensor, second: Tensor, labels: [Int]

    private init(first: Tensor, second: Tensor, labels: [Int]) {
        (self.first, self.second, self.labels) = (first, second, labels)
    }

    /// The samples before `index` and those from it on.
    func split(at index: Int) -> (SyntheticFeatures, SyntheticFeatures) {
        func part(_ range: Range<Int>) -> SyntheticFeatures {
            SyntheticFeatures(
                first: first.sliced(axis: 0, range: range), second: second.sliced(axis: 0, range: range),
                labels: Array(labels[range]))
        }
        return (part(0..<index), part(index..<labels.count))
    }

    init(count: Int, widths: (Int, Int), classCount: Int = 7, noise: Float = 1, seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        let firstMeans = Tensor.randomNormal([classCount, widths.0], using: &generator)
        let secondMeans = Tensor.randomNormal([classCount, widths.1], using: &generator)
        labels = (0..<count).map { _ in Int(generator.next() % UInt64(classCount)) }
        first = firstMeans.indexSelected(axis: 0, indices: labels)
            + Tensor.randomNormal([count, widths.0], using: &generator) * noise
        second = secondMeans.indexSelected(axis: 0, indices: labels)
            + Tensor.randomNormal([count, widths.1], using: &generator) * noise
    }

    /// The head's input for samples `range`.
    func input(_ range: Range<Int>) -> FusionInput {
        FusionInput(
            first: Variable(first.sliced(axis: 0, range: range)), second: Variable(second.sliced(axis: 0, range: range)))
    }
}

/// Fraction of `logits`' row-wise argmaxes equal to `labels`.
func accuracy(_ logits: Tensor, _ labels: [Int]) -> Double {
    let predictions = logits.argmax(alongAxis: 1).scalars.map { Int($0) }
    return Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(labels.count)
}

/// Trains `head` with Adam on `train` for `epochs` epochs of batches of 32
/// and returns its accuracy on `test` in evaluation mode.
func trainedAccuracy(_ head: any FusionHead, train: SyntheticFeatures, test: SyntheticFeatures, epochs: Int = 20) -> Double {
    let optimizer = Adam(head.trainableParameters, learningRate: 3e-3)
    head.train()
    for _ in 0..<epochs {
        for start in stride(from: 0, to: train.labels.count, by: 32) {
            let range = start..<Swift.min(start + 32, train.labels.count)
            head.zeroGradients()
            crossEntropy(logits: head(train.input(range)), labels: Array(train.labels[range])).backward()
            optimizer.step()
        }
    }
    head.eval()
    return accuracy(noGrad { head(test.input(0..<test.labels.count)) }.value, test.labels)
}
