import FERTensor

extension FERDataset {
    /// Splits into training and validation parts that keep each class's share
    /// (seeded): every class with at least two samples gives
    /// round(`validationFraction` x its count), at least one, to validation.
    public func stratifiedSplit(validationFraction: Double, seed: UInt64) -> (train: FERDataset, validation: FERDataset) {
        precondition((0..<1).contains(validationFraction), "stratifiedSplit: validationFraction must be in [0, 1), got \(validationFraction)")
        var generator = RandomGenerator(seed: seed)
        var trainIndices: [Int] = [], validationIndices: [Int] = []
        for label in classNames.indices {
            var members = samples.indices.filter { samples[$0].label == label }
            members.shuffle(using: &generator)
            var taken = Int((Double(members.count) * validationFraction).rounded())
            if validationFraction > 0, members.count >= 2 { taken = min(max(taken, 1), members.count - 1) }
            validationIndices += members.prefix(taken)
            trainIndices += members.dropFirst(taken)
        }
        return (subset(trainIndices.sorted(), name: name + " (train part)"),
                subset(validationIndices.sorted(), name: name + " (validation part)"))
    }
}
