/// Accessors that map values onto `String`-backed enumerations.
extension ParsedArguments {
    /// The value of `name` (or its default) as a case of `E`; throws
    /// `ArgumentError.invalidChoice` listing `E.allCases` when it names no case.
    public func choice<E: RawRepresentable & CaseIterable>(_ name: String, as type: E.Type) throws -> E
    where E.RawValue == String {
        guard let value = try optionalChoice(name, as: type) else {
            throw ArgumentError.missingRequired(try lookup(name).declaration.displayName)
        }
        return value
    }

    /// Like `choice(_:as:)`, but `nil` when absent and without a default.
    public func optionalChoice<E: RawRepresentable & CaseIterable>(_ name: String, as type: E.Type) throws -> E?
    where E.RawValue == String {
        try optionalString(name).map { try parseChoice($0, name: name, as: type) }
    }

    /// All values of a repeated option or positional as cases of `E`.
    public func choices<E: RawRepresentable & CaseIterable>(_ name: String, as type: E.Type) throws -> [E]
    where E.RawValue == String {
        try strings(name).map { try parseChoice($0, name: name, as: type) }
    }

    private func parseChoice<E: RawRepresentable & CaseIterable>(_ raw: String, name: String,
                                                                 as type: E.Type) throws -> E
    where E.RawValue == String {
        if let value = E(rawValue: raw) { return value }
        throw ArgumentError.invalidChoice(option: try lookup(name).declaration.displayName,
                                          value: raw, choices: E.allCases.map(\.rawValue))
    }
}
