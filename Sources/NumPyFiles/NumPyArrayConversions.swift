extension NumPyArray {
    /// The elements converted to `Float`, in C order, whatever the dtype. O(count).
    ///
    /// Conversions follow NumPy's `astype(numpy.float32)`: `float64` and large integers round
    /// to the nearest `Float` (ties to even) and `float64` values beyond `Float`'s range
    /// become ±infinity; `float16` converts exactly; `bool` gives 0 or 1.
    public func floatValues() -> [Float] {
        switch elements {
        case let .bool(v): return v.map { $0 ? 1 : 0 }
        case let .int8(v): return v.map { Float($0) }
        case let .int16(v): return v.map { Float($0) }
        case let .int32(v): return v.map { Float($0) }
        case let .int64(v): return v.map { Float($0) }
        case let .uint8(v): return v.map { Float($0) }
        case let .uint16(v): return v.map { Float($0) }
        case let .uint32(v): return v.map { Float($0) }
        case let .uint64(v): return v.map { Float($0) }
        case let .float16(v): return v.map(floatFromHalfBits)
        case let .float32(v): return v
        case let .float64(v): return v.map { Float($0) }
        }
    }

    /// The elements converted to `Double`, in C order, whatever the dtype. O(count).
    ///
    /// Exact for every dtype except `int64` / `uint64` magnitudes above 2^53, which round
    /// to the nearest `Double` (as NumPy's `astype(numpy.float64)` does).
    public func doubleValues() -> [Double] {
        switch elements {
        case let .bool(v): return v.map { $0 ? 1 : 0 }
        case let .int8(v): return v.map { Double($0) }
        case let .int16(v): return v.map { Double($0) }
        case let .int32(v): return v.map { Double($0) }
        case let .int64(v): return v.map { Double($0) }
        case let .uint8(v): return v.map { Double($0) }
        case let .uint16(v): return v.map { Double($0) }
        case let .uint32(v): return v.map { Double($0) }
        case let .uint64(v): return v.map { Double($0) }
        case let .float16(v): return v.map { Double(floatFromHalfBits($0)) }
        case let .float32(v): return v.map { Double($0) }
        case let .float64(v): return v
        }
    }

    /// The elements converted exactly to `Int`, in C order (e.g. class labels). O(count).
    ///
    /// Integer and bool dtypes convert exactly; floating-point elements must be integral,
    /// finite and within `Int`'s range.
    ///
    /// - Throws: `NumPyFileError` with `.notConvertible`, naming the first offending flat
    ///   index and its value, instead of truncating or wrapping.
    public func intValues() throws -> [Int] {
        switch elements {
        case let .bool(v): return v.map { $0 ? 1 : 0 }
        case let .int8(v): return v.map { Int($0) }
        case let .int16(v): return v.map { Int($0) }
        case let .int32(v): return v.map { Int($0) }
        case let .int64(v): return try exactly(v) { Int(exactly: $0) }
        case let .uint8(v): return v.map { Int($0) }
        case let .uint16(v): return v.map { Int($0) }
        case let .uint32(v): return try exactly(v) { Int(exactly: $0) }
        case let .uint64(v): return try exactly(v) { Int(exactly: $0) }
        case let .float16(v): return try exactly(v.map(floatFromHalfBits)) { Int(exactly: $0) }
        case let .float32(v): return try exactly(v) { Int(exactly: $0) }
        case let .float64(v): return try exactly(v) { Int(exactly: $0) }
        }
    }

    /// Applies a failable exact conversion, reporting the first element it rejects.
    private func exactly<T>(_ values: [T], _ convert: (T) -> Int?) throws -> [Int] {
        var result = [Int]()
        result.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            guard let converted = convert(value) else {
                throw NumPyFileError(problem: .notConvertible(
                    reason: "element \(index) (\(value)) of a \(dtype) array is not an integer in Int's range"))
            }
            result.append(converted)
        }
        return result
    }
}

/// Converts an IEEE 754 binary16 bit pattern to the `Float` of the same value (exact: every
/// half-precision value, subnormals, infinities and NaN payloads included, is a `Float`).
func floatFromHalfBits(_ bits: UInt16) -> Float {
    let sign: UInt32 = UInt32(bits & 0x8000) << 16
    let exponent = UInt32((bits >> 10) & 0x1F)
    let mantissa = UInt32(bits & 0x03FF)
    if exponent == 0 {
        // Zero or subnormal: mantissa * 2^-24, exact in Float.
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    }
    if exponent == 0x1F {
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    }
    return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
}
