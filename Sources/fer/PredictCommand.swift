import ArgumentParser
import FERData
import FERFusion
import FERTensor
import Foundation

/// `fer predict`: class probabilities of face images.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Print the class probabilities a trained model gives face images.",
        discussion: """
            Each path is an image (JPEG or PNG) or a directory searched for images. Images are \
            resized to the model's input and normalised as in training. A prediction never depends \
            on the other images: the model runs in evaluation mode.
            """)

    @Option(help: ArgumentHelp("Model checkpoint (best.safetensors of a run).", valueName: "path"))
    var checkpoint: String

    @Argument(help: ArgumentHelp("Images, or directories of images.", valueName: "path"))
    var paths: [String]

    @Flag(help: "Print one JSON object per image.")
    var json = false

    @Flag(help: "Flip test-time augmentation: average each image with its mirror image.")
    var tta = false

    @Option(help: "Images per forward pass.")
    var batch = 32

    func validate() throws {
        guard FileManager.default.fileExists(atPath: checkpoint) else { throw ValidationError("--checkpoint \(checkpoint): no such file") }
        guard !paths.isEmpty else { throw ValidationError("give at least one image or directory") }
        for path in paths where !FileManager.default.fileExists(atPath: path) { throw ValidationError("\(path): no such file or directory") }
        guard batch > 0 else { throw ValidationError("--batch must be positive") }
    }

    /// One image's result.
    struct Prediction: Encodable {
        var path: String
        var prediction: String
        var probabilities: [String: Float]
    }

    func run() throws {
        let model = try TrainedModel.load(contentsOf: URL(fileURLWithPath: checkpoint))
        let files = try paths.flatMap(imageFiles)
        let (size, channels) = (model.preprocessing.size, model.preprocessing.channels)
        var generator = RandomGenerator(seed: 0)
        if !json {
            print("image".padding(toLength: 32, withPad: " ", startingAt: 0) + "prediction  "
                  + model.classNames.map { String($0.prefix(9)).leftPadded(to: 10) }.joined())
        }
        for start in stride(from: 0, to: files.count, by: batch) {
            let chunk = Array(files[start..<Swift.min(start + batch, files.count)])
            let images = try chunk.map { file in
                Resize(height: size, width: size).apply(
                    try Image(contentsOf: file).converted(toChannels: channels).tensor(), using: &generator)
            }
            let probabilities = model.predictProbabilities(Tensor.stacked(images), flipTTA: tta)
            for (row, file) in chunk.enumerated() {
                let values = probabilities.sliced(axis: 0, range: row..<(row + 1)).scalars
                let best = values.indices.max { values[$0] < values[$1] }!
                if json {
                    print(try compactJSON(Prediction(
                        path: file.path, prediction: model.classNames[best],
                        probabilities: Dictionary(uniqueKeysWithValues: zip(model.classNames, values)))))
                } else {
                    print(String(file.lastPathComponent.prefix(31)).padding(toLength: 32, withPad: " ", startingAt: 0)
                          + model.classNames[best].padding(toLength: 12, withPad: " ", startingAt: 0)
                          + values.map { String(format: "%.4f", $0).leftPadded(to: 10) }.joined())
                }
            }
        }
    }

    /// The image files at `path`: the file itself, or those in the directory and below, sorted.
    private func imageFiles(_ path: String) throws -> [URL] {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return [url]
        }
        let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil)
        let files = (enumerator?.allObjects as? [URL] ?? [])
            .filter { ImageFolder.imageExtensions.contains($0.pathExtension.lowercased()) }
            .sorted { $0.path < $1.path }
        guard !files.isEmpty else { throw ValidationError("\(path): no .jpg, .jpeg or .png images in this directory") }
        return files
    }
}

extension String {
    /// The text right-aligned in `width` characters.
    func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: Swift.max(0, width - count)) + self
    }
}
