/// Integer and floating-point accessors with range validation.
///
/// A value that does not parse or is out of range throws `ArgumentError.invalidValue`,
/// e.g. "--steps expects a positive integer, got 'abc'". Doubles must be finite.
extension ParsedArguments {
    /// The integer value of `name` (or its default), optionally bounded (inclusive).
    public func int(_ name: String, min: Int? = nil, max: Int? = nil) throws -> Int {
        guard let value = try optionalInt(name, min: min, max: max) else {
            throw ArgumentError.missingRequired(try lookup(name).declaration.displayName)
        }
        return value
    }

    /// Like `int(_:min:max:)`, but `nil` when absent and without a default.
    public func optionalInt(_ name: String, min: Int? = nil, max: Int? = nil) throws -> Int? {
        try optionalString(name).map { try parseInt($0, name: name, min: min, max: max) }
    }

    /// All integer values of a repeated option or positional.
    public func ints(_ name: String, min: Int? = nil, max: Int? = nil) throws -> [Int] {
        try strings(name).map { try parseInt($0, name: name, min: min, max: max) }
    }

    /// The finite floating-point value of `name` (or its default), optionally bounded:
    /// `min`/`max` inclusive, `greaterThan`/`lessThan` exclusive.
    public func double(_ name: String, min: Double? = nil, greaterThan: Double? = nil,
                       max: Double? = nil, lessThan: Double? = nil) throws -> Double {
        guard let value = try optionalDouble(name, min: min, greaterThan: greaterThan, max: max,
                                             lessThan: lessThan) else {
            throw ArgumentError.missingRequired(try lookup(name).declaration.displayName)
        }
        return value
    }

    /// Like `double(_:min:greaterThan:max:lessThan:)`, but `nil` when absent and without a default.
    public func optionalDouble(_ name: String, min: Double? = nil, greaterThan: Double? = nil,
                               max: Double? = nil, lessThan: Double? = nil) throws -> Double? {
        let bounds = DoubleBounds(min: min, max: max, greaterThan: greaterThan, lessThan: lessThan)
        return try optionalString(name).map { try parseDouble($0, name: name, bounds: bounds) }
    }

    /// All floating-point values of a repeated option or positional.
    public func doubles(_ name: String, min: Double? = nil, greaterThan: Double? = nil,
                        max: Double? = nil, lessThan: Double? = nil) throws -> [Double] {
        let bounds = DoubleBounds(min: min, max: max, greaterThan: greaterThan, lessThan: lessThan)
        return try strings(name).map { try parseDouble($0, name: name, bounds: bounds) }
    }

    private func parseInt(_ raw: String, name: String, min: Int?, max: Int?) throws -> Int {
        let value = Int(raw.trimmingSpaces)
        if let value, value >= (min ?? .min), value <= (max ?? .max) { return value }
        throw ArgumentError.invalidValue(option: try lookup(name).declaration.displayName,
                                         value: raw, expected: Self.intExpectation(min, max))
    }

    private func parseDouble(_ raw: String, name: String, bounds: DoubleBounds) throws -> Double {
        if let value = Double(raw.trimmingSpaces), value.isFinite, bounds.contains(value) {
            return value
        }
        throw ArgumentError.invalidValue(option: try lookup(name).declaration.displayName,
                                         value: raw, expected: bounds.expectation)
    }

    static func intExpectation(_ min: Int?, _ max: Int?) -> String {
        switch (min, max) {
        case (1?, nil): return "a positive integer"
        case (0?, nil): return "a non-negative integer"
        case let (lo?, hi?): return "an integer in \(lo)...\(hi)"
        case let (lo?, nil): return "an integer >= \(lo)"
        case let (nil, hi?): return "an integer <= \(hi)"
        case (nil, nil): return "an integer"
        }
    }
}

/// Inclusive and exclusive bounds on a floating-point value, with their description.
struct DoubleBounds {
    var min: Double?, max: Double?, greaterThan: Double?, lessThan: Double?

    func contains(_ v: Double) -> Bool {
        v >= (min ?? -.infinity) && v <= (max ?? .infinity)
            && v > (greaterThan ?? -.infinity) && v < (lessThan ?? .infinity)
    }

    /// E.g. "a positive number", "a number >= 0 and < 1", "a number".
    var expectation: String {
        if greaterThan == 0, min == nil, max == nil, lessThan == nil { return "a positive number" }
        if min == 0, greaterThan == nil, max == nil, lessThan == nil { return "a non-negative number" }
        var parts: [String] = []
        if let g = greaterThan { parts.append("> \(Self.format(g))") }
        if let m = min { parts.append(">= \(Self.format(m))") }
        if let l = lessThan { parts.append("< \(Self.format(l))") }
        if let m = max { parts.append("<= \(Self.format(m))") }
        return parts.isEmpty ? "a number" : "a number " + parts.joined(separator: " and ")
    }

    /// `1.0` prints as `1`, `0.5` as `0.5`.
    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
