/// A value of the subset of Python literal syntax that NPY headers use.
///
/// The NPY header is `repr()` of a dict such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`; NumPy reads it back with
/// `ast.literal_eval`. This type and `PythonLiteralParser` cover that subset: dicts, tuples,
/// lists, strings, integers (with Python 2's `L` suffix), `True`, `False`, `None`.
indirect enum PythonLiteral {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dictionary([(key: String, value: PythonLiteral)])

    /// A short name of the value's kind for error messages.
    var kindName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .boolean: return "a boolean"
        case .none: return "None"
        case .tuple: return "a tuple"
        case .list: return "a list"
        case .dictionary: return "a dict"
        }
    }
}

/// A recursive-descent parser for `PythonLiteral` over the header's bytes, tolerant of any
/// whitespace and of trailing commas, with bounded nesting so hostile input cannot exhaust
/// the stack. O(length).
///
/// All syntax is ASCII; only string contents can hold other characters, decoded as UTF-8
/// (NPY 3.0) or latin-1 (NPY 1.0 and 2.0). Every failure is a `NumPyFileError` with
/// `.malformedHeader` naming the byte offset.
struct PythonLiteralParser {
    private let bytes: [UInt8]
    private let utf8: Bool
    private var position = 0
    /// Deeper nesting than any NPY header needs (structured dtypes nest a few levels).
    static let maximumDepth = 32

    /// Parses `bytes`, which must hold exactly one literal, optionally surrounded by whitespace.
    ///
    /// - Parameter utf8: decode string contents as UTF-8 (else latin-1).
    static func parse<C: Collection>(_ bytes: C, utf8: Bool) throws -> PythonLiteral where C.Element == UInt8 {
        var parser = PythonLiteralParser(bytes: Array(bytes), utf8: utf8)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == parser.bytes.count else {
            throw parser.failure("unexpected text after the literal")
        }
        return value
    }

    private init(bytes: [UInt8], utf8: Bool) {
        self.bytes = bytes
        self.utf8 = utf8
    }

    private var current: UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    private static func isWordCharacter(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
    }

    private func failure(_ reason: String) -> NumPyFileError {
        let found: String
        if let c = current {
            found = c >= 0x20 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : String(format: "byte 0x%02x", c)
        } else {
            found = "end of header"
        }
        return NumPyFileError(problem: .malformedHeader(reason: "\(reason) at byte \(position) of the header (found \(found))"))
    }

    private mutating func skipWhitespace() {
        // space, \t, \n, \v, \f, \r
        while let c = current, c == 0x20 || (c >= 0x09 && c <= 0x0D) {
            position += 1
        }
    }

    private mutating func parseValue(depth: Int) throws -> PythonLiteral {
        guard depth < PythonLiteralParser.maximumDepth else {
            throw failure("literal nested more than \(PythonLiteralParser.maximumDepth) levels deep")
        }
        guard let c = current else { throw failure("expected a value") }
        switch c {
        case UInt8(ascii: "{"):
            return .dictionary(try parseDictionary(depth: depth))
        case UInt8(ascii: "("):
            let (items, sawComma) = try parseSequence(closing: UInt8(ascii: ")"), depth: depth)
            // `(x)` is a parenthesised value in Python, not a tuple; `(x,)` and `()` are tuples.
            if items.count == 1 && !sawComma { return items[0] }
            return .tuple(items)
        case UInt8(ascii: "["):
            return .list(try parseSequence(closing: UInt8(ascii: "]"), depth: depth).items)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .integer(try parseInteger())
        default:
            return try parseWord()
        }
    }

    private mutating func parseDictionary(depth: Int) throws -> [(key: String, value: PythonLiteral)] {
        position += 1  // "{"
        var entries = [(key: String, value: PythonLiteral)]()
        while true {
            skipWhitespace()
            if current == UInt8(ascii: "}") { position += 1; return entries }
            let keyStart = position
            guard case let .string(key) = try parseValue(depth: depth + 1) else {
                position = keyStart
                throw failure("dict keys must be strings")
            }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw failure("expected ':' after the key '\(key)'") }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            if entries.contains(where: { $0.key == key }) {
                throw failure("duplicate key '\(key)'")
            }
            entries.append((key, value))
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            guard current == UInt8(ascii: "}") else { throw failure("expected ',' or '}' in a dict") }
        }
    }

    /// Items up to `closing`; also reports whether any comma was seen (for 1-tuples).
    private mutating func parseSequence(closing: UInt8, depth: Int) throws -> (items: [PythonLiteral], sawComma: Bool) {
        position += 1  // "(" or "["
        var items = [PythonLiteral]()
        var sawComma = false
        while true {
            skipWhitespace()
            if current == closing { position += 1; return (items, sawComma) }
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; sawComma = true; continue }
            guard current == closing else {
                throw failure("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
            }
        }
    }

    private mutating func parseString() throws -> String {
        guard let quote = current else { throw failure("expected a string") }
        position += 1
        var content = [UInt8]()
        while let c = current {
            position += 1
            if c == quote { return try decode(content) }
            if c == UInt8(ascii: "\n") { break }
            guard c == UInt8(ascii: "\\") else { content.append(c); continue }
            guard let escaped = current else { break }
            position += 1
            switch escaped {
            case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): content.append(escaped)
            case UInt8(ascii: "n"): content.append(0x0A)
            case UInt8(ascii: "t"): content.append(0x09)
            case UInt8(ascii: "r"): content.append(0x0D)
            case UInt8(ascii: "0"): content.append(0x00)
            default:
                // Python keeps unknown escapes (and this parser \x, \u) verbatim.
                content.append(UInt8(ascii: "\\"))
                content.append(escaped)
            }
        }
        throw failure("unterminated string")
    }

    private func decode(_ content: [UInt8]) throws -> String {
        if !utf8 || content.allSatisfy({ $0 < 0x80 }) {
            return String(String.UnicodeScalarView(content.map { Unicode.Scalar($0) }))  // latin-1 / ASCII
        }
        let text = String(decoding: content, as: UTF8.self)  // repairs invalid sequences...
        guard text.utf8.elementsEqual(content) else {          // ...which this detects
            throw failure("a string is not valid UTF-8")
        }
        return text
    }

    private mutating func parseInteger() throws -> Int {
        let start = position
        var negative = false
        if current == UInt8(ascii: "-") || current == UInt8(ascii: "+") {
            negative = current == UInt8(ascii: "-")
            position += 1
            skipWhitespace()
        }
        var magnitude = 0
        var digits = 0
        while let c = current, PythonLiteralParser.isDigit(c) {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(c - 0x30))
            guard !o1, !o2 else {
                position = start
                throw failure("integer literal does not fit in 64 bits")
            }
            magnitude = sum
            digits += 1
            position += 1
        }
        guard digits > 0 else { throw failure("expected digits") }
        if current == UInt8(ascii: "L") || current == UInt8(ascii: "l") { position += 1 }  // Python 2 long
        if let c = current, PythonLiteralParser.isWordCharacter(c) || c == UInt8(ascii: ".") {
            throw failure("only plain integers are expected here")
        }
        return negative ? -magnitude : magnitude
    }

    private mutating func parseWord() throws -> PythonLiteral {
        let start = position
        while let c = current, PythonLiteralParser.isWordCharacter(c) {
            position += 1
        }
        let word = String(decoding: bytes[start..<position], as: UTF8.self)
        switch word {
        case "True": return .boolean(true)
        case "False": return .boolean(false)
        case "None": return .none
        default:
            let isStringPrefix = ["u", "U", "b", "B"].contains(word)
            if isStringPrefix, current == UInt8(ascii: "'") || current == UInt8(ascii: "\"") {
                return .string(try parseString())  // u'...' / b'...' prefixes
            }
            position = start
            throw failure(word.isEmpty ? "unexpected character" : "unknown name '\(word)'")
        }
    }
}
