import Foundation

/// How much memory FERKit may plan to take at once, so that a job too big
/// for the machine stops with an error naming what did not fit rather than
/// being killed by the kernel's out-of-memory killer.
///
/// The budget is, in order of precedence: a value set for the current task
/// with `MemoryBudget.$limitBytes.withValue(_:operation:)`; the
/// `FERKIT_MEMORY_BUDGET_MB` environment variable; the memory the system
/// reports available (`MemAvailable` in `/proc/meminfo`); unlimited when
/// none is known. Readers of large inputs (CSV files, loader prefetch,
/// feature extraction) check their plan against it before allocating.
public enum MemoryBudget {
    /// A budget for the current task, overriding the environment and the system.
    @TaskLocal public static var limitBytes: Int?

    /// The budget in bytes.
    public static var bytes: Int {
        if let limitBytes { return limitBytes }
        if let text = ProcessInfo.processInfo.environment["FERKIT_MEMORY_BUDGET_MB"], let megabytes = Int(text), megabytes > 0 {
            return megabytes << 20
        }
        return systemAvailableBytes ?? .max
    }

    /// `MemAvailable` from `/proc/meminfo`, when the system reports it.
    public static var systemAvailableBytes: Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kilobytes = Int(fields[1]) { return kilobytes * 1024 }
        }
        return nil
    }

    /// Checks that `bytes` fit in `budget` (by default the current budget).
    ///
    /// - Throws: `MemoryBudgetError` naming `what` and both amounts.
    public static func check(_ bytes: Int, for what: String, budget: Int = MemoryBudget.bytes) throws {
        guard bytes <= budget else { throw MemoryBudgetError(what: what, neededBytes: bytes, budgetBytes: budget) }
    }
}

/// A plan that needs more memory than the budget (`MemoryBudget`).
public struct MemoryBudgetError: Error, CustomStringConvertible, Equatable {
    /// What needed the memory (`reading /data/fer2013.csv`).
    public var what: String
    /// Bytes it needs.
    public var neededBytes: Int
    /// Bytes the budget allows.
    public var budgetBytes: Int

    /// The error for `what`, which needs `neededBytes` of a `budgetBytes` budget.
    public init(what: String, neededBytes: Int, budgetBytes: Int) {
        self.what = what
        self.neededBytes = neededBytes
        self.budgetBytes = budgetBytes
    }

    public var description: String {
        "\(what) needs about \(neededBytes >> 20) MB, more than the \(budgetBytes >> 20) MB available "
            + "(set FERKIT_MEMORY_BUDGET_MB to change the budget)"
    }
}
