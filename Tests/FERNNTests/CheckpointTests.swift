import Foundation
import Testing
import FERTensor
@testable import FERNN

/// A small classifier with a nested child, a renamed buffer and seeded values.
private final class TinyClassifier: Module {
    final class Head: Module {
        let weight: Parameter
        let bias = Parameter(Tensor([0.1, -0.2]))
        init(seed: UInt64) {
            weight = Parameter(randomTensor([2, 3], seed: seed))
        }
    }

    override class var propertyKeys: [String: String] { ["runningMean": "running_mean"] }
    let scale: Parameter
    let runningMean = Buffer(Tensor([0.5, 0.25, 0]))
    let fc: Head

    init(seed: UInt64) {
        scale = Parameter(randomTensor([3], seed: seed + 1))
        fc = Head(seed: seed)
    }
}

/// A model with other keys than `TinyClassifier`.
private final class OtherModel: Module {
    let weight = Parameter(Tensor.zeros([3]))
}

/// Calls `body` with a new empty directory, removed afterwards.
private func withTemporaryDirectory(_ body: (URL) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferkit-checkpoint-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try body(directory)
}

private let metadata = CheckpointMetadata(
    architecture: "tiny", classNames: ["surprise", "fear", "disgust"], trainingConfiguration: #"{"epochs":30,"lr":0.001}"#)

@Suite struct CheckpointTests {
    @Test func modelRoundTripsWithItsMetadata() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("model.safetensors")
            let saved = TinyClassifier(seed: 1)
            try Checkpoint.save(saved, metadata: metadata, to: url)

            let loaded = TinyClassifier(seed: 2)
            let loadedMetadata = try Checkpoint.load(into: loaded, from: url, architecture: "tiny")
            #expect(loaded.stateDict() == saved.stateDict())
            #expect(loadedMetadata == metadata && loadedMetadata.libraryVersion == Checkpoint.libraryVersion)
            #expect(try Checkpoint.readMetadata(at: url) == metadata)

            let archive = try SafetensorsArchive.read(contentsOf: url)
            #expect(Set(archive.keys) == Set(saved.stateDictKeys))
            #expect(archive.metadata["class_names"] == #"["surprise","fear","disgust"]"#)
            #expect(archive.metadata["format"] == "pt")
            #expect(!FileManager.default.fileExists(atPath: Checkpoint.trainingStateURL(forModelAt: url).path))
        }
    }

    @Test func trainingStateGoesNextToTheModelFile() {
        let url = URL(fileURLWithPath: "/runs/a/epoch10.safetensors")
        #expect(Checkpoint.trainingStateURL(forModelAt: url).path == "/runs/a/epoch10.training-state.safetensors")
    }

    @Test func otherArchitectureIsRejectedNamingTheFile() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("model.safetensors")
            try Checkpoint.save(TinyClassifier(seed: 1), metadata: metadata, to: url)
            let model = TinyClassifier(seed: 2)
            let before = model.stateDict()
            #expect(throws: CheckpointError.architectureMismatch(file: url.path, expected: "resnet18", found: "tiny")) {
                try Checkpoint.load(into: model, from: url, architecture: "resnet18")
            }
            #expect(model.stateDict() == before)
        }
    }

    @Test func mismatchedKeysAreReportedWithTheFile() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("model.safetensors")
            try Checkpoint.save(TinyClassifier(seed: 1), metadata: metadata, to: url)
            #expect {
                try Checkpoint.load(into: OtherModel(), from: url, architecture: "tiny")
            } throws: { error in
                guard let error = error as? StateDictError else { return false }
                return error.source == url.path && error.missingKeys == ["weight"]
                    && error.unexpectedKeys == ["fc.bias", "fc.weight", "running_mean", "scale"]
                    && error.description.contains(url.path)
            }
        }
    }

    @Test func invalidClassNamesAreRejectedNamingTheFile() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("model.safetensors")
            var archiveMetadata = try metadata.archiveMetadata()
            archiveMetadata["class_names"] = "surprise, fear"
            try SafetensorsArchive(tensors: TinyClassifier(seed: 1).stateDict(), metadata: archiveMetadata).write(to: url)
            #expect(throws: CheckpointError.invalidMetadata(
                file: url.path, key: "class_names", value: "surprise, fear", reason: "expected a JSON array of strings")) {
                try Checkpoint.readMetadata(at: url)
            }
        }
    }

    @Test func resumedRunContinuesBitForBit() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("epoch2.safetensors")
            func train(_ model: TinyClassifier, _ optimizer: any Optimizer, _ schedule: CosineAnnealing, epochs: ClosedRange<Int>) {
                for epoch in epochs {
                    optimizer.learningRate = schedule.learningRate
                    for parameter in model.parameters { parameter.gradient = testGradient(of: parameter.value, step: epoch) }
                    optimizer.step()
                    schedule.step()
                }
            }
            func makeSchedule() -> CosineAnnealing { CosineAnnealing(baseLearningRate: 0.1, totalEpochs: 5, warmupEpochs: 1) }

            let model = TinyClassifier(seed: 1)
            let optimizer = AdamW(model.parameters, amsgrad: true)
            let schedule = makeSchedule()
            train(model, optimizer, schedule, epochs: 1...2)
            try Checkpoint.save(model, metadata: metadata, to: url, optimizer: optimizer, schedule: schedule)
            train(model, optimizer, schedule, epochs: 3...5)

            let resumedModel = TinyClassifier(seed: 7)
            let resumedOptimizer = AdamW(resumedModel.parameters, amsgrad: true)
            let resumedSchedule = makeSchedule()
            try Checkpoint.load(into: resumedModel, from: url, architecture: "tiny", optimizer: resumedOptimizer, schedule: resumedSchedule)
            #expect(resumedSchedule.epoch == 2)
            train(resumedModel, resumedOptimizer, resumedSchedule, epochs: 3...5)

            #expect(resumedModel.stateDict() == model.stateDict())
            #expect(resumedOptimizer.stateDict() == optimizer.stateDict())
            #expect(resumedSchedule.state == schedule.state)
        }
    }

    @Test func plateauScheduleStateSurvivesTheFile() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("model.safetensors")
            let schedule = ReduceLROnPlateau(learningRate: 0.1, patience: 0)
            for metric in [1.0, 2.0, 0.3] { schedule.step(metric: metric) }
            try Checkpoint.save(TinyClassifier(seed: 1), metadata: metadata, to: url, schedule: schedule)
            let restored = ReduceLROnPlateau(learningRate: 0.1, patience: 0)
            try Checkpoint.load(into: TinyClassifier(seed: 1), from: url, architecture: "tiny", schedule: restored)
            #expect(restored.state == schedule.state)
        }
    }

    @Test func trainingStateFromAnotherSaveIsRejected() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("model.safetensors")
            let trainingURL = Checkpoint.trainingStateURL(forModelAt: url)
            let staleURL = directory.appendingPathComponent("stale.safetensors")
            let model = TinyClassifier(seed: 1)
            let optimizer = SGD(model.parameters, momentum: 0.9)
            try Checkpoint.save(model, metadata: metadata, to: url, optimizer: optimizer)
            try FileManager.default.copyItem(at: trainingURL, to: staleURL)
            try Checkpoint.save(model, metadata: metadata, to: url, optimizer: optimizer)
            try FileManager.default.removeItem(at: trainingURL)
            try FileManager.default.moveItem(at: staleURL, to: trainingURL)
            #expect(throws: CheckpointError.trainingStateMismatch(file: trainingURL.path, modelFile: url.path)) {
                try Checkpoint.load(into: model, from: url, architecture: "tiny", optimizer: optimizer)
            }

            try Checkpoint.save(model, metadata: metadata, to: url)
            #expect(throws: CheckpointError.missingMetadata(file: url.path, key: "training_state_id")) {
                try Checkpoint.load(into: model, from: url, architecture: "tiny", optimizer: optimizer)
            }
        }
    }
}
