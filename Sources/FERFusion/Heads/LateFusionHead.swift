import FERNN
import FERTensor

/// Late fusion: each backbone keeps its own classifier, and the prediction is
/// the weighted average `w p1 + (1 - w) p2` of their softmax outputs. The
/// head returns its logarithm, so that softmax of the output gives the fused
/// probabilities back. Nothing is trained; `weight` is fixed or chosen on the
/// validation split with `chooseWeight`.
public final class LateFusionHead: Module, FusionHead {
    /// Weight of the first backbone's probabilities, in [0, 1].
    public var weight: Float
    public let classCount: Int

    /// A head averaging with `weight` on the first backbone (0.5: plain mean).
    public init(classCount: Int, weight: Float = 0.5) {
        precondition((0...1).contains(weight), "LateFusionHead: weight must be in [0, 1], got \(weight)")
        self.classCount = classCount
        self.weight = weight
        super.init()
    }

    public var kind: FusionStrategyKind { .late }
    public var readsBackboneLogits: Bool { true }

    public func callAsFunction(_ input: FusionInput) -> Variable {
        guard let first = input.firstLogits, let second = input.secondLogits else {
            preconditionFailure("LateFusionHead: the input carries no backbone logits (FusionInput.firstLogits/secondLogits)")
        }
        precondition(
            first.shape == second.shape && first.rank == 2 && first.shape[1] == classCount,
            "LateFusionHead: logits must both be [B, \(classCount)], got \(first.shape) and \(second.shape)")
        let mixed = first.softmax(alongAxis: 1) * weight + second.softmax(alongAxis: 1) * (1 - weight)
        return (mixed + Float.leastNormalMagnitude).log()
    }

    /// The weight among `candidates` whose fused predictions are most often
    /// right on `labels` (ties go to the candidate nearest 0.5).
    public static func chooseWeight(
        firstLogits: Tensor, secondLogits: Tensor, labels: [Int],
        candidates: [Float] = Array(stride(from: Float(0), through: 1, by: 0.05))
    ) -> Float {
        precondition(
            firstLogits.shape == secondLogits.shape && firstLogits.shape.first == labels.count,
            "chooseWeight: logits \(firstLogits.shape) and \(secondLogits.shape) must be [\(labels.count), classes]")
        let first = firstLogits.softmax(alongAxis: 1), second = secondLogits.softmax(alongAxis: 1)
        func accuracy(_ weight: Float) -> Int {
            let predictions = (first * weight + second * (1 - weight)).argmax(alongAxis: 1).scalars.map { Int($0) }
            return zip(predictions, labels).filter { $0 == $1 }.count
        }
        let scored = candidates.map { (weight: $0, correct: accuracy($0)) }
        return scored.max { ($0.correct, -Swift.abs($0.weight - 0.5)) < ($1.correct, -Swift.abs($1.weight - 0.5)) }!.weight
    }
}
