/// FERKit's release version, recorded in checkpoints and reports and printed by `fer`.
public enum FERKitVersion {
    /// Semantic version of this FERKit build.
    public static let string = "0.1.0"
}
