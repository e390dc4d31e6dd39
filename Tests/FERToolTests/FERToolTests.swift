import Foundation
import Testing

/// The `fer` tool end to end, as a user runs it: a subprocess with arguments.
@Suite(.serialized) struct FERToolTests {
    /// A tiny synthetic set in RAF-DB's layout (12 images per class at 40x40), made once.
    static let data: URL = {
        let directory = try! FERTool.temporaryDirectory("data")
        let result = try! FERTool.run(["synth", "--out", directory.path, "--per-class", "12", "--size", "40", "--seed", "3"])
        precondition(result.status == 0, "fer synth failed: \(result.errors)")
        atexit { try? FileManager.default.removeItem(at: FERToolTests.data) }
        return directory
    }()

    static let subcommands = ["info", "models", "synth", "dataset", "train", "extract", "fuse", "evaluate", "predict", "reproduce", "forward", "bench"]

    @Test func reproduceRunsEveryRowOfBothTablesAndASecondRunReusesEverything() throws {
        let out = try FERTool.temporaryDirectory("reproduce")
        defer { try? FileManager.default.removeItem(at: out) }
        let arguments = [
            "reproduce", "--data", Self.data.path, "--out", out.path, "--seeds", "1", "--epochs", "1", "--fusion-epochs", "1",
            "--joint-epochs", "1", "--size", "32", "--batch", "16", "--vgg-head", "global-pool",
        ]
        let first = try FERTool.run(arguments)
        #expect(first.status == 0, "\(first.errors.suffix(2000))")
        // Table 1: four backbones; Table 2: four pairs, each with a figure for all four strategies.
        for backbone in ["resnet18", "resnet34", "vgg11", "vgg13"] {
            #expect(first.output.contains("| \(backbone) | "), "Table 1 lacks \(backbone)")
        }
        let pairRows = first.output.split(separator: "\n").filter { $0.hasPrefix("| ") && $0.contains("+") }
        #expect(pairRows.count == 4)
        for row in pairRows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(cells.count == 6 && cells[1...4].allSatisfy { Double($0) != nil }, "a strategy without a number: \(row)")
        }
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("summary.json").path))
        let report = out.appendingPathComponent("seed-0/fusion/resnet18+resnet34/attention/report.json")
        let written = try FileManager.default.attributesOfItem(atPath: report.path)[.modificationDate] as? Date

        let second = try FERTool.run(arguments)
        #expect(second.status == 0 && second.output == first.output)
        #expect(second.errors.components(separatedBy: "complete, reusing its report").count - 1 == 4 + 16)
        #expect(!second.errors.contains("epoch 1/1"), "nothing is trained again")
        #expect(try FileManager.default.attributesOfItem(atPath: report.path)[.modificationDate] as? Date == written)
    }

    @Test func predictGivesAnImageTheSameProbabilitiesAloneAndAmongFiftyImages() throws {
        let run = try FERTool.temporaryDirectory("predict")
        defer { try? FileManager.default.removeItem(at: run) }
        let trained = try FERTool.run([
            "train", "--arch", "resnet18", "--data", Self.data.path, "--out", run.path, "--epochs", "1", "--size", "32",
        ])
        #expect(trained.status == 0, "\(trained.errors.suffix(1000))")
        let images = Self.data.appendingPathComponent("Image/aligned")
        let files = try FileManager.default.contentsOfDirectory(atPath: images.path).sorted().prefix(50)
        let folder = try FERTool.temporaryDirectory("fifty")
        defer { try? FileManager.default.removeItem(at: folder) }
        for file in files { try FileManager.default.copyItem(at: images.appendingPathComponent(file), to: folder.appendingPathComponent(file)) }
        #expect(files.count == 50)
        let checkpoint = run.appendingPathComponent("best.safetensors").path
        let chosen = folder.appendingPathComponent(files[17])
        let alone = try FERTool.run(["predict", "--checkpoint", checkpoint, "--json", chosen.path])
        let together = try FERTool.run(["predict", "--checkpoint", checkpoint, "--json", folder.path])
        #expect(alone.status == 0 && together.status == 0, "\(alone.errors) \(together.errors)")
        let lines = together.output.split(separator: "\n")
        #expect(lines.count == 50)
        let line = try #require(lines.first { $0.contains("\"\(chosen.path)\"") })
        #expect(String(line) + "\n" == alone.output, "probabilities differ alone and in a batch")
    }

    @Test(arguments: subcommands)
    func everyOptionOfEverySubcommandIsDocumented(_ subcommand: String) throws {
        let help = try FERTool.run([subcommand, "--help"])
        #expect(help.status == 0 && help.output.contains("USAGE: fer \(subcommand)") && help.output.contains("OVERVIEW:"))
        let dump = try FERTool.run([subcommand, "--experimental-dump-help"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(dump.output.utf8)) as? [String: Any])
        let command = try #require(json["command"] as? [String: Any])
        #expect((command["abstract"] as? String)?.isEmpty == false)
        for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["shouldDisplay"] as? Bool != false {
            let name = (argument["preferredName"] as? [String: Any])?["name"] as? String ?? argument["valueName"] as? String ?? "?"
            #expect((argument["abstract"] as? String)?.isEmpty == false, "fer \(subcommand): \(name) has no help text")
        }
    }

    @Test(arguments: [
        (["train", "--arch", "resnet18", "--data", "/no/such/dataset", "--out", "/tmp/x"], "/no/such/dataset"),
        (["train", "--arch", "resnet99", "--data", "/tmp", "--out", "/tmp/x"], "resnet99"),
        (["train", "--arch", "resnet18", "--data", "/tmp", "--out", "/tmp/x", "--epochs", "0"], "--epochs"),
        (["evaluate", "--checkpoint", "/no/such.safetensors", "--data", "/tmp"], "/no/such.safetensors"),
        (["predict", "--checkpoint", "/no/such.safetensors", "face.jpg"], "/no/such.safetensors"),
        (["fuse", "--strategy", "sideways", "--first", "a", "--second", "b", "--data", "/tmp", "--out", "/tmp/x"], "sideways"),
        (["reproduce", "--data", "/tmp", "--out", "/tmp/x", "--pairs", "resnet18+alexnet"], "resnet18+alexnet"),
    ])
    func wrongPathsAndBadOptionsGiveAnErrorNamingThemAndExitNonZero(_ arguments: [String], _ named: String) throws {
        let result = try FERTool.run(arguments)
        #expect(result.status != 0)
        let errorLine = result.errors.split(separator: "\n").first { $0.hasPrefix("Error:") }
        #expect(errorLine?.contains(named) == true, "error output: \(result.errors)")
    }

    @Test func evaluateWritesTheReportTheChartsAndAContactSheetOfMistakes() throws {
        let run = try FERTool.temporaryDirectory("evaluate-run")
        defer { try? FileManager.default.removeItem(at: run) }
        #expect(try FERTool.run(["train", "--arch", "resnet18", "--data", Self.data.path, "--out", run.path, "--epochs", "1", "--size", "32"]).status == 0)
        let out = try FERTool.temporaryDirectory("evaluate")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try FERTool.run([
            "evaluate", "--checkpoint", run.appendingPathComponent("best.safetensors").path, "--data", Self.data.path,
            "--tta", "--out", out.path, "--json",
        ])
        #expect(result.status == 0, "\(result.errors)")
        let report = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        #expect(report?["split"] as? String == "test" && report?["test_time_augmentation"] as? Bool == true)
        let testSize = (report?["split_sizes"] as? [String: Int])?["test"]
        #expect(testSize != nil && (report?["confusion"] as? [[Int]])?.joined().reduce(0, +) == testSize)
        for file in ["report.json", "confusion.svg", "misclassified.png"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file) missing")
        }
        #expect(try String(contentsOf: out.appendingPathComponent("confusion.svg"), encoding: .utf8).hasPrefix("<svg"))
    }

    @Test func theExamplesRunOnTinySyntheticData() throws {
        let embedded = try FERTool.run([], program: "EmbedFusionHead")
        #expect(embedded.status == 0 && embedded.output.contains("held-out accuracy"), "\(embedded.output) \(embedded.errors)")
        let first = try FERTool.temporaryDirectory("example-first"), second = try FERTool.temporaryDirectory("example-second")
        defer { try? FileManager.default.removeItem(at: first) }
        defer { try? FileManager.default.removeItem(at: second) }
        for directory in [first, second] {
            let trained = try FERTool.run([Self.data.path, directory.path, "1"], program: "TrainBackbone")
            #expect(trained.status == 0 && trained.output.contains("test accuracy"), "\(trained.output) \(trained.errors.suffix(500))")
        }
        let fused = first.appendingPathComponent("fused.safetensors")
        let fusion = try FERTool.run(
            [Self.data.path, first.appendingPathComponent("best.safetensors").path, second.appendingPathComponent("best.safetensors").path,
             fused.path], program: "FuseWithAttention")
        #expect(fusion.status == 0 && fusion.output.contains("saved the fusion model"), "\(fusion.output) \(fusion.errors.suffix(500))")
        let image = Self.data.appendingPathComponent("Image/aligned/test_0001_aligned.jpg")
        let predicted = try FERTool.run([fused.path, image.path], program: "PredictExpressions")
        #expect(predicted.status == 0 && predicted.output.contains("fusion:attention(resnet18+resnet18)"), "\(predicted.output) \(predicted.errors)")
    }

    @Test func kernelBenchTimesTheChosenConvolutionsInEachPassAgainstSGEMM() throws {
        let result = try FERTool.run(["bench", "--suite", "kernels", "--convolutions", "layer4.0.downsample", "--json"])
        #expect(result.status == 0, "\(result.errors.suffix(1000))")
        let lines = try result.output.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(lines.map { $0["name"] as? String } == ["sgemm_1024"] + Array(repeating: "layer4.0.downsample.0", count: 3))
        #expect(lines.dropFirst().map { $0["pass"] as? String } == ["forward", "input_gradient", "weight_gradient"])
        for line in lines {
            let gflops = try #require(line["gflops"] as? Double), fraction = try #require(line["fraction_of_sgemm"] as? Double)
            #expect(gflops > 0 && fraction > 0, "\(line)")
        }

        let unknown = try FERTool.run(["bench", "--suite", "kernels", "--convolutions", "layer9"])
        #expect(unknown.status != 0 && unknown.errors.contains("layer9") && unknown.errors.contains("layer4.0.downsample.0"))
    }

    @Test func kernelBenchTakesTheBatchAndImageSize() throws {
        // At 48 px the stem gives 24x24 maps, max pooling 12x12, and layer4 sees 3x3.
        let result = try FERTool.run(
            ["bench", "--suite", "kernels", "--convolutions", "layer4.0.downsample", "--passes", "forward",
             "--batch", "2", "--size", "48", "--json"])
        #expect(result.status == 0, "\(result.errors.suffix(1000))")
        let pass = try #require(result.output.split(separator: "\n").last.flatMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        })
        #expect(pass["input"] as? String == "2x256x3x3" && pass["weight"] as? String == "512x256x1x1", "\(pass)")
    }

    @Test func kernelBenchOverRoundsReportsMediansAndTheRangeOfEachPass() throws {
        let result = try FERTool.run(
            ["bench", "--suite", "kernels", "--convolutions", "layer4.0.downsample", "--rounds", "2", "--json"])
        #expect(result.status == 0, "\(result.errors.suffix(1000))")
        #expect(result.errors.contains("round 2 of 2"))
        let passes = try result.output.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }.dropFirst()
        #expect(passes.map { $0["pass"] as? String } == ["forward", "input_gradient", "weight_gradient"])
        for pass in passes {
            let low = try #require(pass["fraction_of_sgemm_min"] as? Double)
            let median = try #require(pass["fraction_of_sgemm"] as? Double)
            let high = try #require(pass["fraction_of_sgemm_max"] as? Double)
            #expect(pass["rounds"] as? Double == 2 && 0 < low && low <= median && median <= high, "\(pass)")
        }

        let none = try FERTool.run(["bench", "--suite", "kernels", "--rounds", "0"])
        #expect(none.status != 0 && none.errors.contains("--rounds"))
    }

    @Test func kernelBenchTimesOnlyTheChosenPassesInTheirOrder() throws {
        let result = try FERTool.run(
            ["bench", "--suite", "kernels", "--convolutions", "layer4.0.downsample", "--passes",
             "weight_gradient,forward", "--json"])
        #expect(result.status == 0, "\(result.errors.suffix(1000))")
        let passes = try result.output.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }.dropFirst()
        #expect(passes.map { $0["pass"] as? String } == ["weight_gradient", "forward"])

        // The table ends with how many passes reach 70% of sgemm, agreeing with its rows.
        let table = try FERTool.run(
            ["bench", "--suite", "kernels", "--convolutions", "layer4.0.downsample", "--passes", "forward,weight_gradient"])
        #expect(table.status == 0, "\(table.errors.suffix(1000))")
        let lines = table.output.split(separator: "\n").map(String.init)
        let percents = lines.filter { $0.hasPrefix("layer4.0.downsample.0") }.compactMap { line in
            line.split(separator: " ").first { $0.hasSuffix("%") }.flatMap { Int($0.dropLast()) }
        }
        #expect(percents.count == 2, "\(table.output)")
        let summary = try #require(lines.last)
        let reached = try #require(Int(summary.prefix { $0.isNumber }), "\(summary)")
        #expect(summary.hasSuffix(" of 2 passes at or above 70% of sgemm"), "\(summary)")
        #expect(percents.filter { $0 >= 71 }.count <= reached && reached <= percents.filter { $0 >= 70 }.count)

        let unknown = try FERTool.run(["bench", "--suite", "kernels", "--passes", "forward,sideways"])
        #expect(unknown.status != 0 && unknown.errors.contains("sideways") && unknown.errors.contains("input_gradient"))
        let empty = try FERTool.run(["bench", "--suite", "kernels", "--passes", ","])
        #expect(empty.status != 0 && empty.errors.contains("--passes"))
    }

    @Test func aCorruptCheckpointIsAnErrorNamingTheFileNotACrash() throws {
        let directory = try FERTool.temporaryDirectory("corrupt")
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = directory.appendingPathComponent("model.safetensors")
        try Data("not a safetensors file".utf8).write(to: checkpoint)
        let result = try FERTool.run(["predict", "--checkpoint", checkpoint.path, Self.data.path])
        #expect(result.status == 1)
        let lines = result.errors.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("Error:") && lines[0].contains(checkpoint.path), "\(result.errors)")
    }
}

/// Interrupted and killed training runs, through the tool.
@Suite(.serialized) struct FERToolInterruptionTests {
    /// `fer train` of ResNet18 at 32x32 on the tiny set, in `directory`.
    static func trainArguments(_ directory: URL, epochs: Int) -> [String] {
        ["train", "--arch", "resnet18", "--data", FERToolTests.data.path, "--out", directory.path, "--epochs", "\(epochs)",
         "--size", "32", "--batch", "8", "--seed", "5"]
    }

    /// Every tensor of the safetensors file at `url`, by key.
    static func tensors(_ url: URL) throws -> [String: [UInt8]] {
        let data = try Data(contentsOf: url)
        let headerLength = Int(data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength))) as! [String: Any]
        var result: [String: [UInt8]] = [:]
        for (key, value) in header where key != "__metadata__" {
            let offsets = (value as! [String: Any])["data_offsets"] as! [Int]
            result[key] = [UInt8](data.subdata(in: (8 + headerLength + offsets[0])..<(8 + headerLength + offsets[1])))
        }
        return result
    }

    /// The figures of each epoch in a metrics log, without the timings.
    static func figures(_ url: URL) throws -> [[String]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return ["epoch", "lr", "train_loss", "train_accuracy", "val_loss", "val_accuracy"].map { "\(record[$0]!)" }
        }
    }

    @Test func ctrlCSavesMidEpochAndTheSameCommandEndsWithTheUninterruptedWeights() throws {
        let straight = try FERTool.temporaryDirectory("straight")
        defer { try? FileManager.default.removeItem(at: straight) }
        let reference = try FERTool.run(Self.trainArguments(straight, epochs: 3))
        #expect(reference.status == 0, "\(reference.errors.suffix(500))")

        let interrupted = try FERTool.temporaryDirectory("interrupted")
        defer { try? FileManager.default.removeItem(at: interrupted) }
        let running = try FERTool.Running(Self.trainArguments(interrupted, epochs: 3))
        #expect(running.wait(for: "epoch 2/3 batch"))
        running.send(SIGINT)
        let status = running.finish()
        #expect(status == 130, "\(running.errors.suffix(800))")
        #expect(running.errors.contains("training interrupted after batch") && running.errors.contains("resumes exactly"))

        let resumed = try FERTool.run(Self.trainArguments(interrupted, epochs: 3))
        #expect(resumed.status == 0 && resumed.errors.contains("resuming after epoch"), "\(resumed.errors.suffix(800))")
        #expect(resumed.output == reference.output, "the test reports differ")
        #expect(try Self.tensors(interrupted.appendingPathComponent("best.safetensors"))
                == Self.tensors(straight.appendingPathComponent("best.safetensors")))
        #expect(try Self.tensors(interrupted.appendingPathComponent("checkpoint-e3.safetensors"))
                == Self.tensors(straight.appendingPathComponent("checkpoint-e3.safetensors")))
        #expect(try Self.figures(interrupted.appendingPathComponent("metrics.jsonl"))
                == Self.figures(straight.appendingPathComponent("metrics.jsonl")))
    }

    @Test func killingTheProcessAtRandomMomentsAlwaysLeavesACheckpointTheNextRunResumesFrom() throws {
        let directory = try FERTool.temporaryDirectory("killed")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = Self.trainArguments(directory, epochs: 16)
        var generator = SystemRandomNumberGenerator()
        _ = generator.next()  // the kill times vary between runs; every outcome must be a loadable checkpoint
        var delays = [0.3, 0.45, 0.6, 0.75, 0.9, 1.05, 1.2, 1.35]
        delays.shuffle(using: &generator)
        var kills = 0
        for delay in delays {
            let running = try FERTool.Running(arguments)
            Thread.sleep(forTimeInterval: delay)
            guard running.process.isRunning else { break }
            running.send(SIGKILL)
            #expect(running.finish() != 0)
            kills += 1
            // latest.json, when present, names a checkpoint whose two files are complete and paired.
            let latest = directory.appendingPathComponent("latest.json")
            if let data = try? Data(contentsOf: latest) {
                let record = try JSONSerialization.jsonObject(with: data) as! [String: Any]
                let file = directory.appendingPathComponent(record["file"] as! String)
                let stateFile = directory.appendingPathComponent((record["file"] as! String)
                    .replacingOccurrences(of: ".safetensors", with: ".training-state.safetensors"))
                #expect(try !Self.tensors(file).isEmpty && !Self.tensors(stateFile).isEmpty)
            }
        }
        #expect(kills >= 4)
        let finished = try FERTool.run(arguments)
        #expect(finished.status == 0, "after \(kills) kills: \(finished.errors.suffix(800))")
        let straight = try FERTool.temporaryDirectory("unkilled")
        defer { try? FileManager.default.removeItem(at: straight) }
        let reference = try FERTool.run(Self.trainArguments(straight, epochs: 16))
        #expect(finished.output == reference.output, "the killed and resumed run ends with other test figures")
    }
}
