import FERTensor

/// One vertex of the autograd graph: either a recorded operation, with the
/// nodes of its inputs and the rule that turns its output gradient into input
/// gradients, or a leaf (a parameter or a variable created with
/// `requiresGradient: true`) that accumulates the gradients it receives.
public final class GradientNode {
    /// Operation name, for error messages.
    let name: String
    /// Shape of the value this node produced.
    let shape: [Int]
    /// Nodes of the operation's inputs; `nil` for inputs that need no gradient.
    let inputs: [GradientNode?]
    /// Gradients of the inputs from the output gradient. Set to `nil` once
    /// used, which releases the tensors it captured.
    var backward: ((Tensor) -> [Tensor?])?
    /// Whether this is a leaf, which keeps the gradients it receives.
    let isLeaf: Bool
    /// A leaf's accumulated gradient.
    var gradient: Tensor?
    /// Gradient arriving during the current backward pass.
    var pending: Tensor?

    /// A leaf node.
    init(leafOfShape shape: [Int], name: String = "leaf") {
        self.name = name
        self.shape = shape
        self.inputs = []
        self.backward = nil
        self.isLeaf = true
    }

    /// An operation node.
    init(name: String, shape: [Int], inputs: [GradientNode?], backward: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        self.shape = shape
        self.inputs = inputs
        self.backward = backward
        self.isLeaf = false
    }

    /// Adds `gradient` to what has arrived so far.
    func receive(_ gradient: Tensor) {
        precondition(
            gradient.shape == shape,
            "autograd: \(name) produced a value of shape \(shape) but received a gradient of shape \(gradient.shape)")
        if pending == nil {
            pending = gradient
        } else {
            pending! += gradient
        }
    }

    /// Back-propagates `seed` from this node to every leaf it depends on.
    ///
    /// Nodes run in reverse topological order, each once, after all the
    /// gradients flowing into it have been summed; an operation's captured
    /// tensors are released as soon as it has run.
    func propagate(_ seed: Tensor) {
        let order = topologicalOrder()
        receive(seed)
        for node in order.reversed() {
            guard let gradient = node.pending else { continue }
            node.pending = nil
            if node.isLeaf {
                node.gradient = node.gradient.map { $0 + gradient } ?? gradient
                continue
            }
            guard let rule = node.backward else {
                preconditionFailure(
                    "autograd: the graph through \(node.name) was already used by a backward pass; "
                        + "run the forward pass again before calling backward() a second time")
            }
            node.backward = nil
            let inputGradients = rule(gradient)
            precondition(inputGradients.count == node.inputs.count, "autograd: \(node.name) returned \(inputGradients.count) gradients for \(node.inputs.count) inputs")
            for (input, inputGradient) in zip(node.inputs, inputGradients) {
                guard let input, let inputGradient else { continue }
                input.receive(inputGradient)
            }
        }
    }

    /// Nodes reachable from this one, each after all of its inputs (post-order).
    private func topologicalOrder() -> [GradientNode] {
        var order: [GradientNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(node: GradientNode, nextInput: Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while !stack.isEmpty {
            let (node, nextInput) = stack[stack.count - 1]
            if nextInput < node.inputs.count {
                stack[stack.count - 1].nextInput += 1
                if let input = node.inputs[nextInput], visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                order.append(node)
                stack.removeLast()
            }
        }
        return order
    }
}
