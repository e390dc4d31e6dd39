import FERTensor

/// A trainable tensor of a module. Its gradient accumulates across backward
/// passes until `zeroGradient()`; `requiresGradient = false` freezes it.
public final class Parameter {
    /// The current value. Optimizers update it in place.
    ///
    /// - Precondition: the shape never changes (replace the parameter instead).
    public var value: Tensor {
        didSet {
            precondition(value.shape == leaf.shape, "Parameter: new value of shape \(value.shape) replaces one of shape \(leaf.shape)")
        }
    }
    /// Whether training updates it; a frozen parameter gets no gradient.
    public var requiresGradient: Bool
    private let leaf: GradientNode

    /// A trainable parameter holding `value`.
    public init(_ value: Tensor, requiresGradient: Bool = true) {
        self.value = value
        self.requiresGradient = requiresGradient
        self.leaf = GradientNode(leafOfShape: value.shape, name: "parameter")
    }

    /// The gradient accumulated by backward passes since the last `zeroGradient()`.
    public var gradient: Tensor? {
        get { leaf.gradient }
        set {
            if let newValue {
                precondition(newValue.shape == value.shape, "Parameter: gradient of shape \(newValue.shape) for a value of shape \(value.shape)")
            }
            leaf.gradient = newValue
        }
    }

    /// Forgets the accumulated gradient (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGradient() {
        leaf.gradient = nil
    }

    /// The parameter as an input of operations: a leaf of the graph when it
    /// requires gradients and recording is on, a constant otherwise.
    public var variable: Variable {
        Variable(value: value, node: requiresGradient && GradientMode.isEnabled ? leaf : nil)
    }
}

/// A non-trainable tensor that belongs to a module's state (BatchNorm's
/// running statistics): saved and loaded with the parameters, never trained.
public final class Buffer {
    /// The current value.
    public var value: Tensor

    /// A buffer holding `value`.
    public init(_ value: Tensor) {
        self.value = value
    }
}
