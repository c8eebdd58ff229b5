/// PNG scanline filtering (filter method 0, bytes-per-pixel 3).
///
/// For each row all five filter types (None, Sub, Up, Average, Paeth) are tried
/// and the one with the smallest sum of absolute signed residuals is kept — the
/// heuristic recommended by the PNG specification. O(width * height).
enum PNGFilter {
    static let bytesPerPixel = 3

    /// Returns `height * (1 + 3 * width)` bytes: a filter-type byte then the filtered row.
    static func filterRows(_ pixels: [UInt8], width: Int, height: Int) -> [UInt8] {
        let stride = width * bytesPerPixel
        var out = [UInt8]()
        out.reserveCapacity(height * (stride + 1))
        let zeroRow = [UInt8](repeating: 0, count: stride)
        var candidate = [UInt8](repeating: 0, count: stride)
        var best = [UInt8](repeating: 0, count: stride)
        pixels.withUnsafeBufferPointer { all in
            for y in 0..<height {
                let row = UnsafeBufferPointer(rebasing: all[(y * stride)..<((y + 1) * stride)])
                zeroRow.withUnsafeBufferPointer { zero in
                    let prev = y == 0 ? zero
                        : UnsafeBufferPointer(rebasing: all[((y - 1) * stride)..<(y * stride)])
                    var bestType: UInt8 = 0
                    var bestScore = Int.max
                    for type in UInt8(0)...4 {
                        let score = apply(type, row: row, prev: prev, into: &candidate)
                        if score < bestScore {
                            bestScore = score; bestType = type
                            swap(&best, &candidate)
                        }
                    }
                    out.append(bestType)
                    out.append(contentsOf: best)
                }
            }
        }
        return out
    }

    /// Filters one row with `type`, writing into `dst`; returns the residual score.
    private static func apply(_ type: UInt8, row: UnsafeBufferPointer<UInt8>,
                              prev: UnsafeBufferPointer<UInt8>, into dst: inout [UInt8]) -> Int {
        var score = 0
        let bpp = bytesPerPixel
        for i in 0..<row.count {
            let a = i >= bpp ? Int(row[i - bpp]) : 0
            let b = Int(prev[i])
            let c = i >= bpp ? Int(prev[i - bpp]) : 0
            let predictor: Int
            switch type {
            case 0: predictor = 0
            case 1: predictor = a
            case 2: predictor = b
            case 3: predictor = (a + b) / 2
            default: predictor = paeth(a, b, c)
            }
            let residual = UInt8(truncatingIfNeeded: Int(row[i]) - predictor)
            dst[i] = residual
            score += residual < 128 ? Int(residual) : 256 - Int(residual)
        }
        return score
    }

    /// The Paeth predictor from the PNG specification.
    static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }
}
