import ArgumentParser

/// A number option outside its range is a bad command line: exit 64 with usage, in one wording
/// for every option ("--jobs must be from 1 to 64"), before anything is opened or changed.
enum OptionRange {
    static func check(_ value: Int, _ range: ClosedRange<Int>, _ option: String, unit: String = "") throws {
        guard !range.contains(value) else { return }
        throw ValidationError("\(option) must be from \(range.lowerBound) to \(range.upperBound)\(unit.isEmpty ? "" : " \(unit)") (got \(value))")
    }
}
