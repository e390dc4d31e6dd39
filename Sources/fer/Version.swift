/// FERKit's release version, printed by `fer --version` and `fer info`.
enum FERKitVersion {
    static let string = "0.1.0"
}
