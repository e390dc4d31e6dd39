import Testing
import FERTensor
@testable import FERNN

/// A small module tree shaped like a torchvision block.
private final class Affine: Module, UnaryLayer {
    override class var propertyKeys: [String: String] { ["runningMean": "running_mean"] }
    let weight = Parameter(Tensor.ones([2]))
    let bias = Parameter(Tensor.zeros([2]))
    let runningMean = Buffer(Tensor.zeros([2]))
    func callAsFunction(_ input: Variable) -> Variable { input * weight.variable + bias.variable }
}

private final class Block: Module {
    let conv1 = Affine()
    let downsample: Sequential? = Sequential(Affine(), Affine())
    let missing: Sequential? = nil
    let heads = [Affine(), Affine()]
}

@Suite struct ModuleTests {
    @Test func keysFollowPyTorchNaming() {
        let keys = Block().stateDictKeys
        #expect(keys == [
            "conv1.weight", "conv1.bias", "conv1.running_mean",
            "downsample.0.weight", "downsample.0.bias", "downsample.0.running_mean",
            "downsample.1.weight", "downsample.1.bias", "downsample.1.running_mean",
            "heads.0.weight", "heads.0.bias", "heads.0.running_mean",
            "heads.1.weight", "heads.1.bias", "heads.1.running_mean",
        ])
        #expect(Block().parameterCount == 5 * 2 * 2)
    }

    @Test func modulesListsSelfAndEveryDescendantDepthFirst() {
        let block = Block()
        let modules = block.modules
        #expect(modules.count == 1 + 1 + 3 + 2)
        #expect(modules[0] === block && modules[1] === block.conv1 && modules[2] === block.downsample)
        #expect(modules[3] === block.downsample!.layers[0] && modules.last === block.heads[1])
    }

    @Test func trainAndEvalSwitchEveryDescendant() {
        let block = Block()
        block.eval()
        #expect(!block.isTraining && !block.conv1.isTraining && !(block.downsample!.layers[1] as! Affine).isTraining)
        block.train()
        #expect(block.heads[1].isTraining)
    }

    @Test func stateDictRoundTripsThroughLoad() throws {
        let source = Block(), target = Block()
        source.conv1.weight.value = Tensor([5, 6])
        source.heads[1].runningMean.value = Tensor([7, 8])
        try target.load(stateDict: source.stateDict())
        #expect(target.conv1.weight.value.scalars == [5, 6])
        #expect(target.heads[1].runningMean.value.scalars == [7, 8])
    }

    @Test func loadReportsEveryProblemAtOnceAndChangesNothing() {
        let block = Block()
        var state = block.stateDict()
        state["conv1.weight"] = Tensor.ones([3])
        state["heads.0.bias"] = nil
        state["extra.weight"] = Tensor.ones([1])
        state["conv1.bias"] = Tensor([9, 9])
        #expect {
            try block.load(stateDict: state, source: "model.safetensors")
        } throws: { error in
            guard let error = error as? StateDictError else { return false }
            return error.missingKeys == ["heads.0.bias"] && error.unexpectedKeys == ["extra.weight"]
                && error.shapeMismatches == [.init(key: "conv1.weight", expected: [2], found: [3])]
                && error.description.contains("model.safetensors")
        }
        #expect(block.conv1.bias.value.scalars == [0, 0])
    }

    @Test func nonStrictLoadSkipsMissingAndUnexpectedKeys() throws {
        let block = Block()
        try block.load(stateDict: ["conv1.bias": Tensor([1, 2]), "fc.weight": Tensor.ones([7])], strict: false)
        #expect(block.conv1.bias.value.scalars == [1, 2])
        #expect(throws: StateDictError.self) { try block.load(stateDict: ["conv1.bias": Tensor([1])], strict: false) }
    }

    @Test func freezingRemovesParametersFromTraining() {
        let block = Block()
        block.downsample!.setRequiresGradient(false)
        #expect(block.trainableParameters.count == block.parameters.count - 4)
    }

    @Test func sequentialAppliesLayersInOrder() {
        let first = Affine(), second = Affine()
        first.bias.value = Tensor([1, 1])
        second.weight.value = Tensor([3, 3])
        let output = Sequential(first, second)(Variable(Tensor([1, 2])))
        #expect(output.value.scalars == [6, 9])
    }
}
