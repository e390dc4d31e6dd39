import ArgumentParser
import FERTensor

/// The `fer` command line tool.
@main
struct FER: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fer",
        abstract: "Facial expression recognition with FERKit.",
        version: FERKitVersion.string,
        subcommands: [
            InfoCommand.self, ModelsCommand.self, SynthCommand.self, DatasetCommand.self, TrainCommand.self,
            ExtractCommand.self, FuseCommand.self, EvaluateCommand.self, PredictCommand.self, ReproduceCommand.self,
            ForwardCommand.self, BenchCommand.self,
        ])
}
