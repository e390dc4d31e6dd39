import FERTensor

/// Passes its input through unchanged, as `torch.nn.Identity` (a placeholder
/// where a layer is optional, e.g. a removed classifier).
public final class Identity: Module, UnaryLayer {
    public override init() { super.init() }

    /// The input itself.
    public func callAsFunction(_ input: Variable) -> Variable { input }
}

/// Flattens axes `startAxis...endAxis` into one, as `torch.nn.Flatten`
/// (default: everything after the batch axis).
public final class Flatten: Module, UnaryLayer {
    /// First axis flattened.
    public let startAxis: Int
    /// Last axis flattened (negative counts from the end).
    public let endAxis: Int

    /// Flattens `startAxis...endAxis`.
    public init(startAxis: Int = 1, endAxis: Int = -1) {
        self.startAxis = startAxis
        self.endAxis = endAxis
        super.init()
    }

    /// The input with the axes merged.
    public func callAsFunction(_ input: Variable) -> Variable {
        let rank = input.rank
        let start = startAxis < 0 ? startAxis + rank : startAxis
        let end = endAxis < 0 ? endAxis + rank : endAxis
        precondition(0 <= start && start <= end && end < rank, "Flatten: axes \(startAxis)...\(endAxis) invalid for shape \(input.shape)")
        let shape = input.shape
        return input.reshaped(Array(shape[..<start]) + [shape[start...end].reduce(1, *)] + Array(shape[(end + 1)...]))
    }
}
