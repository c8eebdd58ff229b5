/// The variable-code-width LZW compressor used by GIF image data.
///
/// Codes are packed least-significant-bit first. The stream starts with a clear
/// code, widens codes from `minCodeSize + 1` bits up to 12 bits as the table
/// grows, emits a clear code and resets the table whenever all 4096 codes are
/// used, and ends with the end-of-information code. The string table is a flat
/// trie `(prefix code, next index) -> code`, so encoding is O(pixel count);
/// memory is O(4096 * 2^minCodeSize).
struct LZWEncoder {
    private let minCodeSize: Int
    private let alphabetSize: Int
    private let clearCode: Int
    private let endCode: Int
    private var children: [Int16]      // 0 means "no entry" (real codes are > endCode)
    private var usedSlots: [Int] = []  // slots to reset on clear, instead of a full wipe
    private var nextCode = 0
    private var codeSize = 0
    private var bitBuffer: UInt32 = 0
    private var bitCount = 0
    private var output: [UInt8] = []

    static let maxCodes = 4096

    /// `minCodeSize` is 2...8; every index fed to `encode` must be `< 1 << minCodeSize`.
    init(minCodeSize: Int) {
        self.minCodeSize = minCodeSize
        alphabetSize = 1 << minCodeSize
        clearCode = alphabetSize
        endCode = alphabetSize + 1
        children = [Int16](repeating: 0, count: LZWEncoder.maxCodes * alphabetSize)
    }

    /// Compresses `indices` into a raw LZW byte stream (without GIF sub-blocks).
    static func compress(_ indices: [UInt8], minCodeSize: Int) -> [UInt8] {
        var encoder = LZWEncoder(minCodeSize: minCodeSize)
        return encoder.run(indices)
    }

    private mutating func run(_ indices: [UInt8]) -> [UInt8] {
        output.reserveCapacity(indices.count / 2 + 16)
        resetTable()
        emit(clearCode)
        guard var prefix = indices.first.map(Int.init) else {
            emit(endCode); flush(); return output
        }
        for k in indices.dropFirst() {
            let symbol = Int(k)
            let slot = prefix * alphabetSize + symbol
            let child = Int(children[slot])
            if child != 0 { prefix = child; continue }
            emit(prefix)
            children[slot] = Int16(nextCode)
            usedSlots.append(slot)
            // The decoder adds this entry one code later; widen once the new
            // code no longer fits, so both sides switch at the same point.
            if nextCode == (1 << codeSize) && codeSize < 12 { codeSize += 1 }
            nextCode += 1
            if nextCode == LZWEncoder.maxCodes {
                emit(clearCode)
                resetTable()
            }
            prefix = symbol
        }
        emit(prefix)
        emit(endCode)
        flush()
        return output
    }

    private mutating func resetTable() {
        for s in usedSlots { children[s] = 0 }
        usedSlots.removeAll(keepingCapacity: true)
        nextCode = endCode + 1
        codeSize = minCodeSize + 1
    }

    private mutating func emit(_ code: Int) {
        bitBuffer |= UInt32(code) << UInt32(bitCount)
        bitCount += codeSize
        while bitCount >= 8 {
            output.append(UInt8(bitBuffer & 0xFF))
            bitBuffer >>= 8
            bitCount -= 8
        }
    }

    private mutating func flush() {
        if bitCount > 0 { output.append(UInt8(bitBuffer & 0xFF)) }
        bitBuffer = 0; bitCount = 0
    }
}
