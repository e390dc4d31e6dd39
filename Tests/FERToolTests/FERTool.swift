import Foundation

/// The `fer` executable built beside the test bundle, run as a user runs it.
enum FERTool {
    /// What a run printed and how it ended.
    struct Result {
        var status: Int32
        var output: String
        var errors: String
    }

    /// The built `fer` binary (in the products directory, next to the test bundle).
    static var executable: URL {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [products, products.deletingLastPathComponent()].map { $0.appendingPathComponent("fer") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Runs `fer arguments...` and waits for it.
    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["FERKIT_NUM_THREADS"] = "2"
        process.environment = environment
        let (output, errors) = (Pipe(), Pipe())
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read both pipes while the process runs, so that neither fills up.
        let errorData = ReadBuffer()
        let reader = Thread { errorData.data = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        return Result(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorData.data, as: UTF8.self))
    }

    /// What the reader thread fills; read only after the thread has finished.
    private final class ReadBuffer: @unchecked Sendable {
        var data = Data()
    }

    /// A new temporary directory.
    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fer-tool-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
