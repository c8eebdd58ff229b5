/// The linear assignment problem: a permutation `sigma` minimising
/// `sum_i C_{i, sigma(i)}` for a square cost matrix, with dual potentials.
///
/// Solved by the shortest augmenting path method of Jonker & Volgenant (1987, "A
/// shortest augmenting path algorithm for dense and sparse linear assignment
/// problems"): column reduction, reduction transfer and two passes of augmenting row
/// reduction assign most rows cheaply; each remaining free row is then assigned by a
/// Dijkstra search for a shortest augmenting path in reduced costs. The potentials
/// satisfy `u_i + v_j <= C_ij` with equality on the assignment, so
/// `sum_i u_i + sum_j v_j` equals the optimal cost (strong duality).
///
/// This is the exact optimal transport problem between two uniform measures of the same
/// size (`ExactSolver` uses it as its fast path), and the label-assignment step after a
/// flow (match flowed classes to target classes by `W_2^2`).
///
/// - Complexity: O(n^3) in the worst case, O(n^2) memory-bound passes typically.
public enum LinearAssignment {
    /// What `solve` returns.
    public struct Output: Sendable, Equatable {
        /// `assignment[i]` is the column given to row `i` (a permutation).
        public let assignment: [Int]
        /// `sum_i C_{i, assignment[i]}`.
        public let cost: Double
        /// Row potentials `u`.
        public let rowPotentials: [Double]
        /// Column potentials `v`; `u_i + v_j <= C_ij`, equality on the assignment.
        public let columnPotentials: [Double]
    }

    /// Solves the assignment problem for the square cost matrix `cost`.
    ///
    /// - Throws: `OptimalTransportError.dimensionMismatch` when `cost` is not square.
    public static func solve(_ cost: CostMatrix) throws -> Output {
        guard cost.rows == cost.columns else {
            throw OptimalTransportError.dimensionMismatch(expected: cost.rows, found: cost.columns, context: "columns of a square assignment cost matrix")
        }
        return cost.values.withUnsafeBufferPointer { solve(cost: $0.baseAddress!, n: cost.rows) }
    }

    static func solve(cost c: UnsafePointer<Double>, n: Int) -> Output {
        if n == 1 {
            return Output(assignment: [0], cost: c[0], rowPotentials: [c[0]], columnPotentials: [0])
        }
        var v = [Double](repeating: 0, count: n)
        var rowToColumn = [Int](repeating: -1, count: n)
        var columnToRow = [Int](repeating: -1, count: n)
        var free = [Int]()
        v.withUnsafeMutableBufferPointer { vb in
            rowToColumn.withUnsafeMutableBufferPointer { xb in
                columnToRow.withUnsafeMutableBufferPointer { yb in
                    let v = vb.baseAddress!, x = xb.baseAddress!, y = yb.baseAddress!
                    // Column reduction: v_j = min_i C_ij; a row takes the first column it is
                    // the minimiser of (reversed column order, as JV).
                    var matches = [Int](repeating: 0, count: n)
                    for j in stride(from: n - 1, through: 0, by: -1) {
                        var best = c[j], row = 0
                        for i in 1..<n where c[i * n + j] < best { best = c[i * n + j]; row = i }
                        v[j] = best
                        matches[row] += 1
                        if matches[row] == 1 { x[row] = j; y[j] = row }
                    }
                    // Reduction transfer: a row assigned once raises its own potential to its
                    // second-best reduced cost by lowering the potential of its column.
                    for i in 0..<n {
                        if matches[i] == 0 { free.append(i); continue }
                        guard matches[i] == 1 else { continue }
                        let j1 = x[i]
                        var mu = Double.infinity
                        let row = c + i * n
                        for j in 0..<n where j != j1 { mu = min(mu, row[j] - v[j]) }
                        v[j1] -= mu
                    }
                    // Augmenting row reduction, two passes (bounded work per pass).
                    for _ in 0..<2 where !free.isEmpty {
                        var queue = free
                        free.removeAll(keepingCapacity: true)
                        var k = 0
                        var budget = 8 * n * n
                        while k < queue.count {
                            let i = queue[k]
                            k += 1
                            budget -= n
                            if budget < 0 { free.append(i); continue }
                            let row = c + i * n
                            var u1 = row[0] - v[0], u2 = Double.infinity
                            var j1 = 0, j2 = -1
                            for j in 1..<n {
                                let h = row[j] - v[j]
                                if h < u2 {
                                    if h >= u1 { u2 = h; j2 = j } else { u2 = u1; j2 = j1; u1 = h; j1 = j }
                                }
                            }
                            var displaced = y[j1]
                            let strict = u1 < u2
                            if strict {
                                v[j1] -= u2 - u1
                            } else if displaced >= 0 {
                                j1 = j2
                                displaced = y[j2]
                            }
                            if displaced >= 0 { x[displaced] = -1 }
                            x[i] = j1; y[j1] = i
                            if displaced >= 0 {
                                if strict { k -= 1; queue[k] = displaced } else { free.append(displaced) }
                            }
                        }
                    }
                    // Shortest augmenting paths for the remaining free rows.
                    let dist = UnsafeMutablePointer<Double>.allocate(capacity: n)
                    let pred = UnsafeMutablePointer<Int>.allocate(capacity: n)
                    let scanned = UnsafeMutablePointer<Bool>.allocate(capacity: n)
                    defer { dist.deallocate(); pred.deallocate(); scanned.deallocate() }
                    var order = [Int]()
                    order.reserveCapacity(n)
                    for f in free {
                        let row = c + f * n
                        for j in 0..<n { dist[j] = row[j] - v[j]; pred[j] = f; scanned[j] = false }
                        order.removeAll(keepingCapacity: true)
                        var sink = -1, dmin = 0.0
                        while sink < 0 {
                            var jmin = -1
                            dmin = .infinity
                            for j in 0..<n where !scanned[j] {
                                // Prefer an unassigned column among equal distances.
                                if dist[j] < dmin || (dist[j] == dmin && y[j] < 0 && jmin >= 0 && y[jmin] >= 0) {
                                    dmin = dist[j]; jmin = j
                                }
                            }
                            scanned[jmin] = true
                            order.append(jmin)
                            let i = y[jmin]
                            if i < 0 { sink = jmin; break }
                            let ri = c + i * n
                            let ui = ri[jmin] - v[jmin]
                            for j in 0..<n where !scanned[j] {
                                let candidate = dmin + ri[j] - v[j] - ui
                                if candidate < dist[j] { dist[j] = candidate; pred[j] = i }
                            }
                        }
                        for j in order { v[j] += dist[j] - dmin }
                        var j = sink
                        while true {
                            let i = pred[j]
                            y[j] = i
                            let previous = x[i]
                            x[i] = j
                            if i == f { break }
                            j = previous
                        }
                    }
                }
            }
        }
        var u = [Double](repeating: 0, count: n)
        var total = 0.0
        for i in 0..<n {
            let j = rowToColumn[i]
            u[i] = c[i * n + j] - v[j]
            total += c[i * n + j]
        }
        return Output(assignment: rowToColumn, cost: total, rowPotentials: u, columnPotentials: v)
    }
}
