// Fuse two trained backbones with the Fusion Attention Network head: extract
// each backbone's features once, train the head on them, save the whole model.
//
//   swift run -c release FuseWithAttention DATA_DIR FIRST.safetensors SECOND.safetensors OUT.safetensors
import FERBackbones
import FERData
import FERFusion
import FERNN
import FERTensor
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 5 else {
    print("usage: FuseWithAttention DATA_DIR FIRST_CHECKPOINT SECOND_CHECKPOINT OUT_CHECKPOINT")
    exit(2)
}

do {
    let rafdb = RAFDB(root: URL(fileURLWithPath: arguments[1]))
    let (train, validation) = try rafdb.load(.train).stratifiedSplit(validationFraction: 0.1, seed: 0)
    let test = try rafdb.load(.test)
    guard case let .classifier(firstNetwork, firstConfiguration) = try TrainedModel.load(contentsOf: URL(fileURLWithPath: arguments[2])),
          case let .classifier(secondNetwork, secondConfiguration) = try TrainedModel.load(contentsOf: URL(fileURLWithPath: arguments[3]))
    else {
        print("error: both checkpoints must hold single networks (best.safetensors of fer train)")
        exit(1)
    }
    let preprocessing = firstConfiguration.preprocessing

    // Each backbone's features of a split, with every image's mirror image as a second view.
    func features(_ dataset: FERDataset) throws -> FeatureCache {
        func extract(_ network: any Backbone, _ configuration: ClassifierConfiguration) throws -> BackboneFeatures {
            let transform = Compose([
                Resize(height: preprocessing.size, width: preprocessing.size),
                Normalize(mean: preprocessing.mean, standardDeviation: preprocessing.standardDeviation),
            ])
            let iterator = DataLoader(dataset: dataset, transform: transform, batchSize: 64, order: .sequential).batches(epoch: 0)
            let batches = BatchSequence(count: iterator.count) {
                try iterator.next().map { LabelledImages(images: $0.images, labels: $0.labels, ids: $0.ids) }
            }
            return try BackboneFeatures.extract(
                from: network, architecture: configuration.architecture, classNames: dataset.classNames, batches: batches,
                addingFlippedViews: true)
        }
        return try FeatureCache(first: extract(firstNetwork, firstConfiguration), second: extract(secondNetwork, secondConfiguration))
    }
    let (trainFeatures, validationFeatures, testFeatures) = (try features(train), try features(validation), try features(test))

    // The fusion model: both trained backbones and a fresh attention head.
    var generator = RandomGenerator(seed: 0)
    let model = FusionModel(configuration: FusionModelConfiguration(
        firstBackbone: firstConfiguration.resolvedArchitecture!, secondBackbone: secondConfiguration.resolvedArchitecture!,
        strategy: .attention, classNames: train.classNames, preprocessing: preprocessing), generator: &generator)
    try model.first.load(stateDict: firstNetwork.stateDict())
    try model.second.load(stateDict: secondNetwork.stateDict())

    // Train the head from the cached features; the epoch is chosen on validation.
    let head = model.head, recipe = TrainingRecipe.fusionHead
    let trainer = Trainer<FeatureBatch>(
        model: head, optimizer: recipe.makeOptimizer(head.trainableParameters),
        configuration: recipe.trainingConfiguration(seed: 0), classNames: train.classNames
    ) { batch in (head(batch.input), batch.labels) }
    trainer.callbacks = [ProgressBar()]
    let checkpoints = TrainingCheckpoints(
        directory: FileManager.default.temporaryDirectory.appendingPathComponent("fusion-head-\(getpid())"),
        metadata: CheckpointMetadata(architecture: "attention_head", classNames: train.classNames))
    trainer.checkpoints = checkpoints
    try trainer.fit(
        training: { trainFeatures.batches(size: recipe.batchSize, shuffledWithSeed: 0, epoch: $0) },
        validation: { validationFeatures.batches(size: 256) })
    try Checkpoint.load(into: head, from: checkpoints.bestURL, architecture: "attention_head")
    // The head's epoch checkpoints were scratch for choosing the epoch; the fused model is saved below.
    try? FileManager.default.removeItem(at: checkpoints.directory)

    let (_, metrics) = try trainer.evaluate(testFeatures.batches(size: 256))
    print(String(format: "test accuracy (each image and its mirror image as rows): %.2f%%", 100 * metrics.accuracy))
    try model.save(to: URL(fileURLWithPath: arguments[4]))
    print("saved the fusion model to \(arguments[4]); try: fer predict --checkpoint \(arguments[4]) IMAGE")
} catch {
    print("error: \(error)")
    exit(1)
}
