import Foundation
import WoWCompute

/// The two Sinkhorn loops behind `Sinkhorn.solve` (log domain and scaling form) and the
/// assembly of their common output. Internal: configure and call through `Sinkhorn`.
///
/// Every pass over the `n x m` matrices runs on row (or column) chunks fixed by the
/// shapes, with per-chunk partial sums combined in chunk order, so results are bitwise
/// identical for every thread count.
struct SinkhornIterations {
    let problem: TransportProblem
    let epsilon: Double
    let tolerance: Double
    let maxIterations: Int
    let n: Int
    let m: Int
    /// `r_i = min_j C_ij`.
    let rowOffset: [Double]
    /// `s_j = min_i (C_ij - r_i)`.
    let columnOffset: [Double]

    /// Rows and columns per parallel chunk (fixed by the shapes, never by the thread count).
    static let rowChunk = 16
    static let columnChunk = 256
    /// Largest `(C_ij - r_i - s_j) / eps` for which `.automatic` uses the scaling form.
    static let scalingRange = 300.0

    init(problem: TransportProblem, epsilon: Double, tolerance: Double, maxIterations: Int) {
        self.problem = problem
        self.epsilon = epsilon
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        let n = problem.sourceCount, m = problem.targetCount
        self.n = n
        self.m = m
        var r = [Double](repeating: 0, count: n)
        var s = [Double](repeating: .infinity, count: m)
        problem.cost.values.withUnsafeBufferPointer { cb in
            r.withUnsafeMutableBufferPointer { rb in
                s.withUnsafeMutableBufferPointer { sb in
                    let c = cb.baseAddress!, r = rb.baseAddress!, s = sb.baseAddress!
                    Parallel.forEach(chunks: (n + Self.rowChunk - 1) / Self.rowChunk) { chunk in
                        for i in (chunk * Self.rowChunk)..<min(n, (chunk + 1) * Self.rowChunk) {
                            let row = c + i * m
                            var low = row[0]
                            for j in 1..<m { low = min(low, row[j]) }
                            r[i] = low
                        }
                    }
                    Parallel.forEach(chunks: (m + Self.columnChunk - 1) / Self.columnChunk) { chunk in
                        let j0 = chunk * Self.columnChunk, j1 = min(m, j0 + Self.columnChunk)
                        for i in 0..<n {
                            let row = c + i * m, ri = r[i]
                            for j in j0..<j1 { s[j] = min(s[j], row[j] - ri) }
                        }
                    }
                }
            }
        }
        rowOffset = r
        columnOffset = s
    }

    // MARK: - Scaling form

    /// Returns `nil` when the scalings leave the floating-point range, or (when
    /// `checkRange`) when the Gibbs kernel spans more than `exp(-scalingRange)`.
    mutating func runScaling(checkRange: Bool) throws -> SinkhornOutput? {
        let a = problem.sourceWeights, b = problem.targetWeights
        let n = self.n, m = self.m, eps = epsilon
        let rowChunks = (n + Self.rowChunk - 1) / Self.rowChunk
        // K_ij = exp(-(C_ij - r_i - s_j) / eps), with the largest exponent per chunk.
        var kernel = [Double](repeating: 0, count: n * m)
        var chunkRange = [Double](repeating: 0, count: rowChunks)
        problem.cost.values.withUnsafeBufferPointer { cb in
            kernel.withUnsafeMutableBufferPointer { kb in
                chunkRange.withUnsafeMutableBufferPointer { rangeb in
                    rowOffset.withUnsafeBufferPointer { rb in
                        columnOffset.withUnsafeBufferPointer { sb in
                            let c = cb.baseAddress!, k = kb.baseAddress!, range = rangeb.baseAddress!
                            let r = rb.baseAddress!, s = sb.baseAddress!
                            let inverse = 1 / eps
                            Parallel.forEach(chunks: rowChunks) { chunk in
                                var widest = 0.0
                                for i in (chunk * Self.rowChunk)..<min(n, (chunk + 1) * Self.rowChunk) {
                                    let row = c + i * m, out = k + i * m, ri = r[i]
                                    // Two simple loops (exponents, then exponentials) so
                                    // that the second one vectorises.
                                    for j in 0..<m { out[j] = (row[j] - ri - s[j]) * inverse }
                                    widest = max(widest, Self.maximum(out, m))
                                    for j in 0..<m { out[j] = fastExp(-out[j]) }
                                }
                                range[chunk] = widest
                            }
                        }
                    }
                }
            }
        }
        if checkRange && chunkRange.max()! > Self.scalingRange { return nil }
        var u = [Double](repeating: 0, count: n)
        var v = [Double](repeating: 1, count: m)
        var kv = [Double](repeating: 0, count: n)
        var usedKv = [Double](repeating: 0, count: n)
        var ktu = [Double](repeating: 0, count: m)
        var iterations = 0
        let ok: Bool = kernel.withUnsafeBufferPointer { kb in
            let k = kb.baseAddress!
            Self.multiply(k, v, into: &kv, n: n, m: m)
            while iterations < maxIterations {
                for i in 0..<n {
                    guard kv[i] > 0, kv[i].isFinite else { return false }
                    u[i] = a[i] / kv[i]
                }
                swap(&usedKv, &kv)
                Self.multiplyTransposed(k, u, into: &ktu, n: n, m: m)
                for j in 0..<m {
                    guard ktu[j] > 0, ktu[j].isFinite else { return false }
                    v[j] = b[j] / ktu[j]
                }
                Self.multiply(k, v, into: &kv, n: n, m: m)
                iterations += 1
                var error = 0.0
                for i in 0..<n { error += abs(u[i] * kv[i] - a[i]) }
                guard error.isFinite else { return false }
                if error <= tolerance { break }
            }
            return true
        }
        guard ok else { return nil }
        let f = (0..<n).map { -eps * log(usedKv[$0]) + rowOffset[$0] }
        let g = (0..<m).map { -eps * log(ktu[$0]) + columnOffset[$0] }
        guard f.allSatisfy(\.isFinite), g.allSatisfy(\.isFinite) else { return nil }
        // The plan P = diag(u) K diag(v), in place.
        kernel.withUnsafeMutableBufferPointer { kb in
            u.withUnsafeBufferPointer { ub in
                v.withUnsafeBufferPointer { vb in
                    let k = kb.baseAddress!, u = ub.baseAddress!, v = vb.baseAddress!
                    Parallel.forEach(chunks: rowChunks) { chunk in
                        for i in (chunk * Self.rowChunk)..<min(n, (chunk + 1) * Self.rowChunk) {
                            let row = k + i * m, ui = u[i]
                            for j in 0..<m { row[j] *= ui * v[j] }
                        }
                    }
                }
            }
        }
        return output(plan: kernel, f: f, g: g, iterations: iterations, domain: .scaling)
    }

    /// `out = K v` (row chunks).
    static func multiply(_ k: UnsafePointer<Double>, _ v: [Double], into out: inout [Double], n: Int, m: Int) {
        v.withUnsafeBufferPointer { vb in
            out.withUnsafeMutableBufferPointer { ob in
                let v = vb.baseAddress!, o = ob.baseAddress!
                Parallel.forEach(chunks: (n + rowChunk - 1) / rowChunk) { chunk in
                    for i in (chunk * rowChunk)..<min(n, (chunk + 1) * rowChunk) {
                        let row = k + i * m
                        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                        var j = 0
                        while j + 4 <= m {
                            s0 += row[j] * v[j]; s1 += row[j + 1] * v[j + 1]
                            s2 += row[j + 2] * v[j + 2]; s3 += row[j + 3] * v[j + 3]
                            j += 4
                        }
                        while j < m { s0 += row[j] * v[j]; j += 1 }
                        o[i] = (s0 + s1) + (s2 + s3)
                    }
                }
            }
        }
    }

    /// `out = K^T u` (column chunks; each column sums over rows in order).
    static func multiplyTransposed(_ k: UnsafePointer<Double>, _ u: [Double], into out: inout [Double], n: Int, m: Int) {
        u.withUnsafeBufferPointer { ub in
            out.withUnsafeMutableBufferPointer { ob in
                let u = ub.baseAddress!, o = ob.baseAddress!
                Parallel.forEach(chunks: (m + columnChunk - 1) / columnChunk) { chunk in
                    let j0 = chunk * columnChunk, j1 = min(m, j0 + columnChunk)
                    for j in j0..<j1 { o[j] = 0 }
                    for i in 0..<n {
                        let ui = u[i], row = k + i * m
                        for j in j0..<j1 { o[j] += ui * row[j] }
                    }
                }
            }
        }
    }

    // MARK: - Log domain

    mutating func runLogarithmic() throws -> SinkhornOutput {
        let a = problem.sourceWeights, b = problem.targetWeights
        let n = self.n, m = self.m, eps = epsilon
        let logA = a.map { $0 > 0 ? log($0) : -Double.infinity }
        let logB = b.map { $0 > 0 ? log($0) : -Double.infinity }
        let transposedCost = problem.cost.transposed().values
        var g = [Double](repeating: 0, count: m)
        var f = [Double](repeating: 0, count: n)
        var next = [Double](repeating: 0, count: n)
        problem.cost.values.withUnsafeBufferPointer { c in
            Self.softTransform(c.baseAddress!, rows: n, columns: m, logWeights: logB, potential: g, epsilon: eps, into: &f)
        }
        // Each pass sets `g` to the c-transform of `f` (exact columns), measures the row
        // error of the plan of `(f, g)`, and only then advances `f`, so the pair that
        // leaves the loop (on convergence or at the cap) is the one whose error was measured.
        var iterations = 0
        while true {
            transposedCost.withUnsafeBufferPointer { ct in
                Self.softTransform(ct.baseAddress!, rows: m, columns: n, logWeights: logA, potential: f, epsilon: eps, into: &g)
            }
            problem.cost.values.withUnsafeBufferPointer { c in
                Self.softTransform(c.baseAddress!, rows: n, columns: m, logWeights: logB, potential: g, epsilon: eps, into: &next)
            }
            iterations += 1
            var error = 0.0
            for i in 0..<n where a[i] > 0 { error += a[i] * abs(exp((f[i] - next[i]) / eps) - 1) }
            guard !error.isNaN, f.allSatisfy(\.isFinite), g.allSatisfy(\.isFinite) else {
                throw OptimalTransportError.numericalFailure("log-domain Sinkhorn produced non-finite potentials at epsilon \(eps)")
            }
            if error <= tolerance || iterations >= maxIterations { break }
            swap(&f, &next)
        }
        var plan = [Double](repeating: 0, count: n * m)
        problem.cost.values.withUnsafeBufferPointer { cb in
            plan.withUnsafeMutableBufferPointer { pb in
                let c = cb.baseAddress!, p = pb.baseAddress!
                let shift = (0..<m).map { logB[$0] + g[$0] / eps }
                Parallel.forEach(chunks: (n + Self.rowChunk - 1) / Self.rowChunk) { chunk in
                    for i in (chunk * Self.rowChunk)..<min(n, (chunk + 1) * Self.rowChunk) {
                        let base = logA[i] + f[i] / eps
                        for j in 0..<m { p[i * m + j] = fastExp(base + shift[j] - c[i * m + j] / eps) }
                    }
                }
            }
        }
        return output(plan: plan, f: f, g: g, iterations: iterations, domain: .logarithmic)
    }

    /// `out_i = -eps log sum_j exp(logWeights_j + (potential_j - C_ij) / eps)` for the
    /// rows of a row-major `rows x columns` cost (the soft c-transform), with the row
    /// maximum factored out.
    static func softTransform(_ c: UnsafePointer<Double>, rows: Int, columns: Int, logWeights: [Double],
                              potential: [Double], epsilon eps: Double, into out: inout [Double]) {
        let inverse = 1 / eps
        // Fold log-weights and potentials into one shift per column.
        let shift = (0..<columns).map { logWeights[$0] + potential[$0] * inverse }
        shift.withUnsafeBufferPointer { sb in
            out.withUnsafeMutableBufferPointer { ob in
                let s = sb.baseAddress!, o = ob.baseAddress!
                Parallel.forEach(chunks: (rows + rowChunk - 1) / rowChunk) { chunk in
                    let scratch = UnsafeMutablePointer<Double>.allocate(capacity: columns)
                    defer { scratch.deallocate() }
                    for i in (chunk * rowChunk)..<min(rows, (chunk + 1) * rowChunk) {
                        let row = c + i * columns
                        // Separate simple loops: the exponents and the exponentials vectorise,
                        // the reductions run on four independent accumulators.
                        for j in 0..<columns { scratch[j] = s[j] - row[j] * inverse }
                        let top = maximum(scratch, columns)
                        for j in 0..<columns { scratch[j] = fastExp(scratch[j] - top) }
                        o[i] = -eps * (top + log(sum(scratch, columns)))
                    }
                }
            }
        }
    }

    /// `max_j x_j` (four accumulators; `-infinity` for weights that are zero).
    @inline(__always)
    static func maximum(_ x: UnsafePointer<Double>, _ count: Int) -> Double {
        var m0 = -Double.infinity, m1 = m0, m2 = m0, m3 = m0
        var j = 0
        while j + 4 <= count {
            m0 = x[j] > m0 ? x[j] : m0; m1 = x[j + 1] > m1 ? x[j + 1] : m1
            m2 = x[j + 2] > m2 ? x[j + 2] : m2; m3 = x[j + 3] > m3 ? x[j + 3] : m3
            j += 4
        }
        while j < count { m0 = x[j] > m0 ? x[j] : m0; j += 1 }
        return max(max(m0, m1), max(m2, m3))
    }

    /// `sum_j x_j` (four accumulators, combined in a fixed order).
    @inline(__always)
    static func sum(_ x: UnsafePointer<Double>, _ count: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var j = 0
        while j + 4 <= count {
            s0 += x[j]; s1 += x[j + 1]; s2 += x[j + 2]; s3 += x[j + 3]
            j += 4
        }
        while j < count { s0 += x[j]; j += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    // MARK: - Output

    func output(plan: [Double], f: [Double], g: [Double], iterations: Int, domain: Sinkhorn.Domain) -> SinkhornOutput {
        let a = problem.sourceWeights
        let n = self.n, m = self.m
        let rowChunks = (n + Self.rowChunk - 1) / Self.rowChunk
        // Row sums and <P, C> per row; column sums per row chunk, combined in chunk order.
        var rowMass = [Double](repeating: 0, count: n)
        var rowCost = [Double](repeating: 0, count: n)
        var partialColumns = [Double](repeating: 0, count: rowChunks * m)
        plan.withUnsafeBufferPointer { pb in
            problem.cost.values.withUnsafeBufferPointer { cb in
                rowMass.withUnsafeMutableBufferPointer { rmb in
                    rowCost.withUnsafeMutableBufferPointer { rcb in
                        partialColumns.withUnsafeMutableBufferPointer { pcb in
                            let p = pb.baseAddress!, c = cb.baseAddress!, rm = rmb.baseAddress!, rc = rcb.baseAddress!
                            let pc = pcb.baseAddress!
                            Parallel.forEach(chunks: rowChunks) { chunk in
                                let columns = pc + chunk * m
                                for i in (chunk * Self.rowChunk)..<min(n, (chunk + 1) * Self.rowChunk) {
                                    let row = p + i * m, cost = c + i * m
                                    var mass = 0.0, total = 0.0
                                    for j in 0..<m {
                                        let pij = row[j]
                                        mass += pij
                                        total += pij * cost[j]
                                        columns[j] += pij
                                    }
                                    rm[i] = mass
                                    rc[i] = total
                                }
                            }
                        }
                    }
                }
            }
        }
        var columnMass = [Double](repeating: 0, count: m)
        for chunk in 0..<rowChunks { for j in 0..<m { columnMass[j] += partialColumns[chunk * m + j] } }
        let transport = rowCost.reduce(0, +)
        let total = rowMass.reduce(0, +)
        var regularized = epsilon * (1 - total)
        for i in 0..<n where rowMass[i] > 0 { regularized += rowMass[i] * f[i] }
        for j in 0..<m where columnMass[j] > 0 { regularized += columnMass[j] * g[j] }
        // Both marginals of the returned plan, measured: one of them is exact by
        // construction only up to rounding, and an error in either must not pass as converged.
        let b = problem.targetWeights
        var rowError = 0.0, columnError = 0.0
        for i in 0..<n { rowError += abs(rowMass[i] - a[i]) }
        for j in 0..<m { columnError += abs(columnMass[j] - b[j]) }
        let marginalError = max(rowError, columnError)
        return SinkhornOutput(
            epsilon: epsilon,
            plan: TransportPlan(sourceCount: n, targetCount: m, storage: .dense(plan)),
            sourcePotentials: f, targetPotentials: g,
            transportCost: transport, regularizedCost: regularized,
            iterations: iterations, marginalError: marginalError, converged: marginalError <= tolerance,
            tolerance: tolerance, maxIterations: maxIterations, domain: domain)
    }
}
