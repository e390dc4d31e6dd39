/// Layers applied one after another, keyed `0`, `1`, ... as `torch.nn.Sequential`.
public final class Sequential: Module, UnaryLayer {
    /// The layers, in order.
    public let layers: [any UnaryLayer]

    /// Chains `layers`.
    public init(_ layers: [any UnaryLayer]) {
        self.layers = layers
        super.init()
    }

    /// Chains the given layers.
    public convenience init(_ layers: any UnaryLayer...) {
        self.init(layers)
    }

    public override var namedChildren: [(key: String, module: Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }

    /// Applies every layer in order.
    public func callAsFunction(_ input: Variable) -> Variable {
        layers.reduce(input) { $1($0) }
    }
}
