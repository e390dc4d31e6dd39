import FERTensor

/// Base class of every layer and model.
///
/// Parameters (`Parameter`), buffers (`Buffer`) and child modules are found by
/// reflection over stored properties, so a model never lists them by hand.
/// Keys follow PyTorch: the property name, or its entry in `propertyKeys`
/// when PyTorch spells it differently (`running_mean`, `out_proj`), dotted
/// through children (`layer1.0.conv1.weight`); a property holding `[Module]`
/// numbers its elements (`blocks.0`), and `Sequential` numbers its layers
/// directly (`0`, `1`, ...). Optional children count only when present.
open class Module {
    /// State-dict keys of properties whose Swift name differs from PyTorch's
    /// (`["runningMean": "running_mean"]`).
    open class var propertyKeys: [String: String] { [:] }

    /// Whether the module is in training mode (BatchNorm uses batch statistics,
    /// Dropout drops); switched recursively by `train()` and `eval()`.
    public private(set) var isTraining = true

    public init() {}

    /// Direct children with their keys, in declaration order (superclass
    /// properties first). Subclasses that keep children in other containers
    /// override this.
    open var namedChildren: [(key: String, module: Module)] {
        reflectedMembers().children
    }

    /// This module's own parameters with their keys (not its children's).
    open var namedOwnParameters: [(key: String, parameter: Parameter)] {
        reflectedMembers().parameters
    }

    /// This module's own buffers with their keys (not its children's).
    open var namedOwnBuffers: [(key: String, buffer: Buffer)] {
        reflectedMembers().buffers
    }

    /// Every parameter of this module and its descendants, with dotted keys.
    public var namedParameters: [(key: String, parameter: Parameter)] {
        var result = namedOwnParameters
        for (prefix, child) in namedChildren {
            result += child.namedParameters.map { ("\(prefix).\($0.key)", $0.parameter) }
        }
        return result
    }

    /// Every buffer of this module and its descendants, with dotted keys.
    public var namedBuffers: [(key: String, buffer: Buffer)] {
        var result = namedOwnBuffers
        for (prefix, child) in namedChildren {
            result += child.namedBuffers.map { ("\(prefix).\($0.key)", $0.buffer) }
        }
        return result
    }

    /// This module and all its descendants, depth first (as `model.modules()`).
    public var modules: [Module] {
        [self] + namedChildren.flatMap { $0.module.modules }
    }

    /// Every parameter, in key order of `namedParameters`.
    public var parameters: [Parameter] { namedParameters.map(\.parameter) }

    /// Parameters that training updates (not frozen).
    public var trainableParameters: [Parameter] { parameters.filter(\.requiresGradient) }

    /// Number of scalars in all parameters (frozen ones included), as
    /// `sum(p.numel() for p in model.parameters())`.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Switches this module and its descendants to training (`true`) or
    /// evaluation mode. Models that keep parts frozen override it (calling
    /// `super`), as PyTorch modules override `train()`.
    open func train(_ mode: Bool = true) {
        isTraining = mode
        for (_, child) in namedChildren { child.train(mode) }
    }

    /// Switches this module and its descendants to evaluation mode.
    public func eval() { train(false) }

    /// Freezes (`false`) or unfreezes every parameter of this module and its descendants.
    public func setRequiresGradient(_ requiresGradient: Bool) {
        for parameter in parameters { parameter.requiresGradient = requiresGradient }
    }

    /// Forgets the gradients of every parameter.
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }

    /// Parameters and buffers by dotted key, as `model.state_dict()`.
    public func stateDict() -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (key, parameter) in namedParameters { result[key] = parameter.value }
        for (key, buffer) in namedBuffers { result[key] = buffer.value }
        return result
    }

    /// Every state-dict key in PyTorch's order: a module's own parameters,
    /// then its own buffers, then its children's keys, recursively.
    public var stateDictKeys: [String] {
        var keys = namedOwnParameters.map(\.key) + namedOwnBuffers.map(\.key)
        for (prefix, child) in namedChildren {
            keys += child.stateDictKeys.map { "\(prefix).\($0)" }
        }
        return keys
    }

    /// Copies values from a state dict, as `model.load_state_dict(state, strict=...)`.
    ///
    /// Nothing is changed unless the whole state dict fits: every missing,
    /// unexpected and mis-shaped key is reported at once. With `strict: false`,
    /// missing and unexpected keys are allowed (and skipped) but shapes must
    /// still match.
    /// - Throws: `StateDictError` listing every problem.
    public func load(stateDict: [String: Tensor], strict: Bool = true, source: String? = nil) throws {
        var parameters: [String: Parameter] = [:]
        for (key, parameter) in namedParameters { parameters[key] = parameter }
        var buffers: [String: Buffer] = [:]
        for (key, buffer) in namedBuffers { buffers[key] = buffer }
        let modelShapes = parameters.mapValues(\.value.shape).merging(buffers.mapValues(\.value.shape)) { first, _ in first }

        var error = StateDictError(missingKeys: [], unexpectedKeys: [], shapeMismatches: [], source: source)
        error.missingKeys = stateDictKeys.filter { stateDict[$0] == nil }
        error.unexpectedKeys = stateDict.keys.filter { modelShapes[$0] == nil }.sorted()
        for key in stateDictKeys {
            if let tensor = stateDict[key], let expected = modelShapes[key], tensor.shape != expected {
                error.shapeMismatches.append(.init(key: key, expected: expected, found: tensor.shape))
            }
        }
        if strict ? !error.isEmpty : !error.shapeMismatches.isEmpty {
            if !strict { error.missingKeys = []; error.unexpectedKeys = [] }
            throw error
        }
        for (key, tensor) in stateDict {
            if let parameter = parameters[key] { parameter.value = tensor }
            if let buffer = buffers[key] { buffer.value = tensor }
        }
    }

    /// Children, parameters and buffers found among the stored properties.
    private func reflectedMembers() -> (
        children: [(key: String, module: Module)],
        parameters: [(key: String, parameter: Parameter)],
        buffers: [(key: String, buffer: Buffer)]
    ) {
        let renamed = type(of: self).propertyKeys
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let current = mirror {
            mirrors.insert(current, at: 0)
            mirror = current.superclassMirror
        }
        var children: [(key: String, module: Module)] = []
        var parameters: [(key: String, parameter: Parameter)] = []
        var buffers: [(key: String, buffer: Buffer)] = []
        for mirror in mirrors {
            for case let (label?, value) in mirror.children {
                let property = label.hasPrefix("_") ? String(label.dropFirst()) : label
                let name = renamed[property] ?? property
                switch unwrapped(value) {
                case let module as Module:
                    children.append((name, module))
                case let modules as [Module]:
                    children += modules.enumerated().map { ("\(name).\($0.offset)", $0.element) }
                case let parameter as Parameter:
                    parameters.append((name, parameter))
                case let buffer as Buffer:
                    buffers.append((name, buffer))
                default:
                    break
                }
            }
        }
        return (children, parameters, buffers)
    }

    /// The wrapped value of an optional (or the value itself), `nil` for `.none`.
    private func unwrapped(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.map { unwrapped($0.value) } ?? nil
    }
}

/// A module that maps one variable to one variable; what `Sequential` chains.
public protocol UnaryLayer: Module {
    /// Applies the layer.
    func callAsFunction(_ input: Variable) -> Variable
}
