import FERTensor

/// A tensor that takes part in automatic differentiation.
///
/// Operations on variables compute their value at once (define-by-run) and,
/// when gradient recording is on and an input requires gradients, record a
/// node that knows how to send gradients back to the inputs. `backward()` on a
/// scalar result accumulates gradients into every leaf it depends on: the
/// model's `Parameter`s, or variables created with `requiresGradient: true`.
public struct Variable {
    /// The current value.
    public let value: Tensor
    /// The graph node that produced this value, if it requires gradients.
    public let node: GradientNode?

    /// A constant (no gradient) or, with `requiresGradient`, a new leaf whose
    /// gradient can be read after `backward()`.
    public init(_ value: Tensor, requiresGradient: Bool = false) {
        self.value = value
        self.node = requiresGradient ? GradientNode(leafOfShape: value.shape) : nil
    }

    /// A variable with an existing node (used by operations and parameters).
    init(value: Tensor, node: GradientNode?) {
        self.value = value
        self.node = node
    }

    /// Shape of the value.
    public var shape: [Int] { value.shape }

    /// Rank of the value.
    public var rank: Int { value.rank }

    /// Whether gradients flow back through this variable.
    public var requiresGradient: Bool { node != nil }

    /// The accumulated gradient of a leaf, after `backward()`; `nil` before,
    /// or for results of operations (PyTorch keeps no `.grad` for those either).
    public var gradient: Tensor? { node?.isLeaf == true ? node?.gradient : nil }

    /// The same value, cut off from the graph.
    public func detached() -> Variable { Variable(value) }

    /// Back-propagates from this variable.
    ///
    /// - Parameter seed: the gradient of the final objective with respect to
    ///   this variable; defaults to 1 for a one-element variable.
    /// - Precondition: this variable requires gradients, and `seed` is given
    ///   unless it has one element.
    public func backward(seed: Tensor? = nil) {
        guard let node else {
            preconditionFailure("backward(): this variable does not require gradients (no parameter or leaf with requiresGradient in its graph)")
        }
        precondition(seed != nil || value.count == 1, "backward(): a seed gradient is needed for a non-scalar of shape \(shape)")
        node.propagate(seed ?? Tensor(shape: shape, repeating: 1))
    }

    /// The result of an operation: records a graph node when gradients are
    /// being recorded and any input requires them.
    ///
    /// - Parameters:
    ///   - name: operation name, for error messages.
    ///   - inputs: the operation's variable inputs, in the order `backward` returns gradients.
    ///   - backward: maps the output gradient to one gradient per input
    ///     (`nil` where an input needs none; check `requiresGradient` to skip work).
    public static func record(
        _ value: Tensor, name: String, inputs: [Variable], backward: @escaping (Tensor) -> [Tensor?]
    ) -> Variable {
        guard recordsGradient(of: inputs) else { return Variable(value) }
        let node = GradientNode(name: name, shape: value.shape, inputs: inputs.map(\.node), backward: backward)
        return Variable(value: value, node: node)
    }

    /// Whether an operation on `inputs` is recorded for backpropagation:
    /// gradient mode is on and some input requires a gradient. Operations
    /// use it to skip what only the backward pass needs.
    public static func recordsGradient(of inputs: [Variable]) -> Bool {
        GradientMode.isEnabled && inputs.contains(where: \.requiresGradient)
    }
}

extension Variable: CustomStringConvertible {
    /// The value's description, marked when it requires gradients.
    public var description: String {
        "Variable(\(value)\(requiresGradient ? ", requiresGradient" : ""))"
    }
}
