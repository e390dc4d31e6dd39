/// Where blocks go inside one contiguous address range: offsets only, no memory.
///
/// Placement is best fit (the smallest free range that holds the request,
/// split at its start); freed blocks coalesce with free neighbours, so a
/// training step that frees an activation can reuse its bytes for any smaller
/// or combined later request. The layout also knows which free bytes still
/// hold resident pages (everything below `residentEnd` that is neither live
/// nor released), so that `TensorMemory` can bound the memory it keeps.
struct ArenaLayout {
    /// Bytes the range spans.
    let capacity: Int
    /// Free ranges in address order; no two of them touch.
    private(set) var freeRanges: [Range<Int>]
    /// Free ranges whose pages went back to the system, in address order, none touching.
    /// Every one lies inside a free range and below `residentEnd`.
    private(set) var releasedRanges: [Range<Int>] = []
    /// One past the highest byte whose page may be resident.
    private(set) var residentEnd = 0
    /// Bytes in allocated blocks.
    private(set) var liveBytes = 0

    /// An empty layout over `capacity` bytes.
    init(capacity: Int) {
        self.capacity = capacity
        freeRanges = capacity > 0 ? [0..<capacity] : []
    }

    /// Free bytes whose pages may still be resident: the reusable cache.
    var residentFreeBytes: Int { residentEnd - liveBytes - releasedRanges.reduce(0) { $0 + $1.count } }

    /// Offset of a new block of `size` bytes, or nil when no free range holds it.
    mutating func allocate(size: Int) -> Int? {
        precondition(size > 0, "ArenaLayout: block size must be positive, got \(size)")
        var best: Int?
        for index in freeRanges.indices where freeRanges[index].count >= size {
            if best.map({ freeRanges[index].count < freeRanges[$0].count }) ?? true { best = index }
        }
        guard let best else { return nil }
        let block = freeRanges[best].lowerBound..<(freeRanges[best].lowerBound + size)
        if freeRanges[best].count == size {
            freeRanges.remove(at: best)
        } else {
            freeRanges[best] = block.upperBound..<freeRanges[best].upperBound
        }
        forgetRelease(of: block)
        liveBytes += size
        residentEnd = max(residentEnd, block.upperBound)
        return block.lowerBound
    }

    /// Returns the block at `offset` of `size` bytes to the free ranges.
    mutating func free(offset: Int, size: Int) {
        var block = offset..<(offset + size)
        let index = freeRanges.firstIndex { $0.lowerBound >= block.upperBound } ?? freeRanges.endIndex
        precondition(index == 0 || freeRanges[index - 1].upperBound <= block.lowerBound,
                     "ArenaLayout: block \(block) overlaps free range \(freeRanges[index - 1])")
        var insertAt = index
        if index < freeRanges.endIndex, freeRanges[index].lowerBound == block.upperBound {
            block = block.lowerBound..<freeRanges[index].upperBound
            freeRanges.remove(at: index)
        }
        if index > 0, freeRanges[index - 1].upperBound == block.lowerBound {
            block = freeRanges[index - 1].lowerBound..<block.upperBound
            freeRanges.remove(at: index - 1)
            insertAt -= 1
        }
        freeRanges.insert(block, at: insertAt)
        liveBytes -= size
    }

    /// Marks free memory as given back to the system, highest addresses first,
    /// until at most `limit` free bytes stay resident; returns the ranges whose
    /// pages the caller must now discard.
    mutating func release(keepingAtMost limit: Int) -> [Range<Int>] {
        var discarded: [Range<Int>] = []
        var index = freeRanges.endIndex
        while residentFreeBytes > limit, index > freeRanges.startIndex {
            index -= 1
            let resident = freeRanges[index].clamped(to: 0..<residentEnd)
            guard !resident.isEmpty else { continue }
            discarded += unreleasedParts(of: resident)
            forgetRelease(of: resident)
            if resident.upperBound == residentEnd {
                residentEnd = resident.lowerBound
            } else {
                insertReleased(resident)
            }
        }
        return discarded
    }

    /// The parts of `range` not in `releasedRanges`.
    private func unreleasedParts(of range: Range<Int>) -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var start = range.lowerBound
        for released in releasedRanges where released.overlaps(range) {
            if released.lowerBound > start { parts.append(start..<released.lowerBound) }
            start = max(start, released.upperBound)
        }
        if start < range.upperBound { parts.append(start..<range.upperBound) }
        return parts
    }

    /// Removes `range` from the released ranges (its pages are about to be used again, or it left the resident part).
    private mutating func forgetRelease(of range: Range<Int>) {
        var kept: [Range<Int>] = []
        for released in releasedRanges {
            guard released.overlaps(range) else {
                kept.append(released)
                continue
            }
            if released.lowerBound < range.lowerBound { kept.append(released.lowerBound..<range.lowerBound) }
            if released.upperBound > range.upperBound { kept.append(range.upperBound..<released.upperBound) }
        }
        releasedRanges = kept
    }

    /// Adds `range` (disjoint from every released range) to the released ranges, coalescing.
    private mutating func insertReleased(_ range: Range<Int>) {
        var merged = range
        var kept: [Range<Int>] = []
        for released in releasedRanges {
            if released.upperBound == merged.lowerBound || released.lowerBound == merged.upperBound {
                merged = min(merged.lowerBound, released.lowerBound)..<max(merged.upperBound, released.upperBound)
            } else {
                kept.append(released)
            }
        }
        let index = kept.firstIndex { $0.lowerBound > merged.lowerBound } ?? kept.endIndex
        kept.insert(merged, at: index)
        releasedRanges = kept
    }
}
