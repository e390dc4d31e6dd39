// Train ResNet18 on a dataset in RAF-DB's layout, select the epoch on a
// validation split carved from the training set, evaluate once on test.
//
//   swift run -c release fer synth --out /tmp/faces --per-class 100 --size 64
//   swift run -c release TrainBackbone /tmp/faces /tmp/resnet18 [epochs]
import FERBackbones
import FERData
import FERFusion
import FERNN
import FERTensor
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    print("usage: TrainBackbone DATA_DIR OUT_DIR [EPOCHS]")
    exit(2)
}
let (dataDirectory, outDirectory) = (URL(fileURLWithPath: arguments[1]), URL(fileURLWithPath: arguments[2]))
let epochs = arguments.count > 3 ? Int(arguments[3]) ?? 5 : 5

do {
    // Data: RAF-DB's train split, 10% of each class held out for validation.
    let rafdb = RAFDB(root: dataDirectory)
    let (train, validation) = try rafdb.load(.train).stratifiedSplit(validationFraction: 0.1, seed: 0)
    let test = try rafdb.load(.test)
    let size = 64
    func batches(_ dataset: FERDataset, _ transform: any ImageTransform, _ order: SamplingOrder, epoch: Int) -> BatchSequence<LabelledImages> {
        let iterator = DataLoader(dataset: dataset, transform: transform, batchSize: 32, order: order).batches(epoch: epoch)
        return BatchSequence(count: iterator.count) {
            try iterator.next().map { LabelledImages(images: $0.images, labels: $0.labels, ids: $0.ids) }
        }
    }

    // Model, optimizer and schedule: torchvision's ResNet18 for 7 classes.
    var generator = RandomGenerator(seed: 0)
    let configuration = ClassifierConfiguration(architecture: .resnet18, classNames: train.classNames, preprocessing: .imageNet(size: size))
    let model = configuration.makeModel(generator: &generator)
    let optimizer = SGD(model.trainableParameters, learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4)
    let trainer = Trainer<LabelledImages>(
        model: model, optimizer: optimizer, schedule: CosineAnnealing(baseLearningRate: 0.01, totalEpochs: epochs),
        configuration: TrainingConfiguration(epochs: epochs), classNames: train.classNames
    ) { batch in (model(Variable(batch.images)), batch.labels) }
    trainer.callbacks = [ProgressBar(), MetricsLog(url: outDirectory.appendingPathComponent("metrics.jsonl"))]
    trainer.checkpoints = TrainingCheckpoints(directory: outDirectory, metadata: try configuration.checkpointMetadata())

    try trainer.fit(
        training: { batches(train, Compose.paperTraining(size: size), .shuffled, epoch: $0) },
        validation: { batches(validation, Compose.evaluation(size: size), .sequential, epoch: 0) })

    // The best epoch, evaluated once on the test split.
    let best = try TrainedModel.load(contentsOf: trainer.checkpoints!.bestURL)
    let metrics = try best.network.evaluate(
        batches(test, Compose.evaluation(size: size), .sequential, epoch: 0), classNames: test.classNames)
    print(String(format: "best epoch %d: test accuracy %.2f%%, macro-F1 %.4f", trainer.best!.epoch, 100 * metrics.accuracy, metrics.macroF1))
} catch {
    print("error: \(error)")
    exit(1)
}
