import ArgumentParser
import FERFusion
import Foundation

/// Ctrl-C and `kill` (SIGINT, SIGTERM) during training: the first signal
/// asks the trainer to finish its batch, save a checkpoint there and stop;
/// a second one ends the process at once.
enum Interruption {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var isRequested = false
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// Whether a stop was asked for.
    static var requested: Bool {
        lock.withLock { isRequested }
    }

    /// Runs `body` with the signal handlers installed; an interrupted
    /// training run ends the process with status 130 after saying how to resume.
    static func handling<Result>(_ body: () throws -> Result) throws -> Result {
        install()
        do {
            return try body()
        } catch let error as TrainingError {
            guard case .interrupted = error else { throw error }
            log(error.description)
            throw ExitCode(130)
        }
    }

    private static func install() {
        lock.withLock {
            guard sources.isEmpty else { return }
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    let again = lock.withLock { () -> Bool in
                        defer { isRequested = true }
                        return isRequested
                    }
                    if again { exit(130) }
                    log("\nstopping: finishing the current batch and saving a checkpoint (signal again to quit at once)")
                }
                source.resume()
                sources.append(source)
            }
        }
    }
}
