import FERBackbones
import FERNN
import FERTensor

/// Two backbones and a fusion head: images in, fused class logits out.
///
/// Unless the strategy fine-tunes them (joint fusion), the backbones are
/// frozen: their parameters need no gradient, they stay in evaluation mode
/// (BatchNorm keeps its running statistics) when the model trains, and they
/// run without recording a graph.
public final class FusionModel: Module, UnaryLayer {
    /// The first backbone (`first.*` in the state dict).
    public let first: any Backbone
    /// The second backbone (`second.*`).
    public let second: any Backbone
    /// The fusion head (`head.*`).
    public let head: any FusionHead
    /// Class names, indexed like the logits.
    public let classNames: [String]
    /// How the model was built, when it was built from a configuration (needed to save it).
    public internal(set) var configuration: FusionModelConfiguration?

    /// Fuses `first` and `second` through `head`; freezes the backbones unless `head.kind` fine-tunes them.
    public init(first: any Backbone, second: any Backbone, head: any FusionHead, classNames: [String]) {
        precondition(
            classNames.count == head.classCount,
            "FusionModel: \(classNames.count) class names for a head of \(head.classCount) classes")
        precondition(
            !head.readsBackboneLogits || (first.classCount == head.classCount && second.classCount == head.classCount),
            "FusionModel: late fusion needs backbones of \(head.classCount) classes, got \(first.classCount) and \(second.classCount)")
        self.first = first
        self.second = second
        self.head = head
        self.classNames = classNames
        super.init()
        if !head.kind.finetunesBackbones {
            first.setRequiresGradient(false)
            second.setRequiresGradient(false)
            first.eval()
            second.eval()
        }
    }

    /// Whether the backbones are trained along with the head.
    public var finetunesBackbones: Bool { head.kind.finetunesBackbones }

    public override func train(_ mode: Bool = true) {
        super.train(mode)
        if !finetunesBackbones {
            first.eval()
            second.eval()
        }
    }

    /// What the head reads for `images` `[N, C, H, W]`: both backbones'
    /// features, and their logits for late fusion.
    public func fusionInput(_ images: Variable) -> FusionInput {
        func run() -> FusionInput {
            let firstFeatures = first.features(images), secondFeatures = second.features(images)
            guard head.readsBackboneLogits else { return FusionInput(first: firstFeatures, second: secondFeatures) }
            return FusionInput(
                first: firstFeatures, second: secondFeatures, firstLogits: first.logits(fromFeatures: firstFeatures),
                secondLogits: second.logits(fromFeatures: secondFeatures))
        }
        return finetunesBackbones ? run() : noGrad(run)
    }

    /// Fused class logits `[N, classes]`.
    public func callAsFunction(_ images: Variable) -> Variable { head(fusionInput(images)) }
}
