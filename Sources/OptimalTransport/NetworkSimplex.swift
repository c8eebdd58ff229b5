/// The primal network simplex method on the bipartite transportation network, with a
/// strongly feasible spanning tree and block-search pricing (Dantzig 1951; Cunningham
/// 1976 for strongly feasible trees; Ahuja, Magnanti & Orlin 1993, ch. 11; block search
/// as in Kovacs 2015, "Minimum-cost flow algorithms: an experimental evaluation", the
/// scheme of LEMON and of POT's `emd`).
///
/// Network: sources `s_i` (supply `a_i`), targets `t_j` (demand `b_j`), one uncapacitated
/// arc `s_i -> t_j` of cost `C_ij` per pair, and a root `r` joined to every node by an
/// artificial arc of cost `M = (n + m + 1) max |C_ij|` (`s_i -> r` when `a_i > 0`,
/// `r -> s_i` otherwise, `r -> t_j` always). The all-artificial tree is strongly
/// feasible, and `M` exceeds the cost of any path, so every optimal solution carries
/// no artificial flow.
///
/// Each pivot scans blocks of about `sqrt(nm)` arcs for the most negative reduced cost
/// `C_ij - pi(s_i) + pi(t_j)`, pushes flow around the cycle it closes (the leaving arc is
/// the last blocking arc from the apex, which keeps the tree strongly feasible and
/// rules out cycling), and re-hangs the cut subtree, updating potentials and depths in
/// it. The tree is stored as parent pointers plus doubly linked child lists; the flow of
/// a tree arc is stored at its lower node.
///
/// - Complexity: O(n + m) memory beyond the cost matrix; pivots typically a small
///   multiple of `n + m`, each O(sqrt(nm) + tree path + subtree) work.
struct NetworkSimplex {
    let n: Int
    let m: Int
    let cost: UnsafePointer<Double>
    let supply: [Double]
    let demand: [Double]

    struct Solution {
        /// Basic real arcs with positive flow: (source, target, mass), sorted.
        var entries: [TransportPlan.Entry]
        var sourcePotentials: [Double]
        var targetPotentials: [Double]
        var pivots: Int
    }

    /// `min_k (a_k + b_k)` over `count` entries (four-wide SIMD lanes).
    @inline(__always)
    static func segmentMinimum(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var lanes = SIMD4<Double>(repeating: .infinity)
        var k = 0
        while k + 4 <= count {
            let sum = ra.loadUnaligned(fromByteOffset: k * 8, as: SIMD4<Double>.self)
                + rb.loadUnaligned(fromByteOffset: k * 8, as: SIMD4<Double>.self)
            lanes.replace(with: sum, where: sum .< lanes)
            k += 4
        }
        var lowest = lanes.min()
        while k < count { lowest = min(lowest, a[k] + b[k]); k += 1 }
        return lowest
    }

    func solve(maxPivots: Int) throws -> Solution {
        let nodes = n + m + 1, root = n + m, arcs = n * m
        var maxAbs = 0.0
        for k in 0..<arcs { maxAbs = max(maxAbs, abs(cost[k])) }
        let big = maxAbs > 0 ? Double(n + m + 1) * maxAbs : 1
        guard big.isFinite, big * 4 < .greatestFiniteMagnitude else {
            throw OptimalTransportError.numericalFailure("costs up to \(maxAbs) overflow the network simplex's artificial costs; rescale the cost matrix")
        }
        // Reduced costs above -tolerance count as optimal: rounding in potentials of
        // size `big` must not trigger endless degenerate pivots.
        let tolerance = 8 * Double.ulpOfOne * big

        let parent = UnsafeMutablePointer<Int>.allocate(capacity: nodes)
        let predArc = UnsafeMutablePointer<Int>.allocate(capacity: nodes)
        let upward = UnsafeMutablePointer<Bool>.allocate(capacity: nodes)
        let flow = UnsafeMutablePointer<Double>.allocate(capacity: nodes)
        let pi = UnsafeMutablePointer<Double>.allocate(capacity: nodes)
        let depth = UnsafeMutablePointer<Int>.allocate(capacity: nodes)
        let firstChild = UnsafeMutablePointer<Int>.allocate(capacity: nodes)
        let nextSibling = UnsafeMutablePointer<Int>.allocate(capacity: nodes)
        let prevSibling = UnsafeMutablePointer<Int>.allocate(capacity: nodes)
        defer {
            parent.deallocate(); predArc.deallocate(); upward.deallocate(); flow.deallocate(); pi.deallocate()
            depth.deallocate(); firstChild.deallocate(); nextSibling.deallocate(); prevSibling.deallocate()
        }

        @inline(__always) func attach(_ x: Int, to p: Int) {
            let first = firstChild[p]
            nextSibling[x] = first
            prevSibling[x] = -1
            if first >= 0 { prevSibling[first] = x }
            firstChild[p] = x
        }
        @inline(__always) func detach(_ x: Int) {
            let prev = prevSibling[x], next = nextSibling[x]
            if prev >= 0 { nextSibling[prev] = next } else { firstChild[parent[x]] = next }
            if next >= 0 { prevSibling[next] = prev }
        }

        // Initial strongly feasible tree: every node hangs from the root.
        parent[root] = -1; predArc[root] = -1; upward[root] = false; flow[root] = 0; pi[root] = 0; depth[root] = 0
        for v in 0..<nodes { firstChild[v] = -1 }
        for v in 0..<root {
            parent[v] = root
            predArc[v] = arcs + v
            depth[v] = 1
            if v < n && supply[v] > 0 {
                upward[v] = true; flow[v] = supply[v]; pi[v] = big
            } else {
                upward[v] = false; flow[v] = v < n ? 0 : demand[v - n]; pi[v] = -big
            }
            attach(v, to: root)
        }

        // Block search pricing state.
        let blockSize = max(10, Int(Double(arcs).squareRoot()))
        var cursorRow = 0, cursorColumn = 0
        let targetPi = pi + n

        func findEntering() -> Int {
            var best = -1
            var bestReduced = -tolerance
            var scanned = 0, remaining = blockSize
            var i = cursorRow, j = cursorColumn
            while scanned < arcs {
                let length = min(m - j, remaining, arcs - scanned)
                let row = cost + i * m
                let ui = pi[i]
                // Reduced cost C_ij - pi(s_i) + pi(t_j) = (C_ij + pi(t_j)) - u_i: take the
                // segment minimum of C_ij + pi(t_j) with SIMD lanes, and locate it only when
                // it improves on the best so far (rare).
                let lowest = Self.segmentMinimum(row + j, targetPi + j, length)
                if lowest - ui < bestReduced {
                    for jj in j..<(j + length) where row[jj] + targetPi[jj] == lowest {
                        bestReduced = lowest - ui
                        best = i * m + jj
                        break
                    }
                }
                j += length; scanned += length; remaining -= length
                if j == m {
                    j = 0; i += 1
                    if i == n { i = 0 }
                }
                if remaining == 0 {
                    if best >= 0 { break }
                    remaining = blockSize
                }
            }
            cursorRow = i; cursorColumn = j
            return best
        }

        var pivots = 0
        while true {
            let entering = findEntering()
            if entering < 0 { break }
            pivots += 1
            if pivots > maxPivots { throw OptimalTransportError.iterationLimit(solver: "network simplex", limit: maxPivots) }
            let p = entering / m, q = n + entering % m
            let reduced = cost[entering] - pi[p] + pi[q]

            // Apex of the cycle.
            var x = p, y = q
            while x != y {
                if depth[x] > depth[y] { x = parent[x] }
                else if depth[y] > depth[x] { y = parent[y] }
                else { x = parent[x]; y = parent[y] }
            }
            let apex = x

            // Leaving arc: the last blocking arc met from the apex along the cycle
            // apex -> ... -> p -> q -> ... -> apex.
            var delta = Double.infinity
            var leaving = -1
            var leavingOnSourceSide = false
            x = p
            while x != apex {
                if upward[x] && flow[x] < delta { delta = flow[x]; leaving = x; leavingOnSourceSide = true }
                x = parent[x]
            }
            x = q
            while x != apex {
                if !upward[x] && flow[x] <= delta { delta = flow[x]; leaving = x; leavingOnSourceSide = false }
                x = parent[x]
            }
            guard leaving >= 0 else {
                throw OptimalTransportError.numericalFailure("network simplex found an unbounded cycle")
            }
            delta = max(delta, 0)

            // Push delta around the cycle.
            if delta > 0 {
                x = p
                while x != apex { flow[x] += upward[x] ? -delta : delta; x = parent[x] }
                x = q
                while x != apex { flow[x] += upward[x] ? delta : -delta; x = parent[x] }
            }

            // Re-hang the cut subtree on the entering arc, reversing the path from the
            // entering arc's endpoint to the leaving arc.
            let newRoot = leavingOnSourceSide ? p : q
            var newParent = leavingOnSourceSide ? q : p
            var newArc = entering
            var newUpward = leavingOnSourceSide
            var newFlow = delta
            x = newRoot
            while true {
                let oldParent = parent[x], oldArc = predArc[x], oldUpward = upward[x], oldFlow = flow[x]
                detach(x)
                parent[x] = newParent; predArc[x] = newArc; upward[x] = newUpward; flow[x] = newFlow
                attach(x, to: newParent)
                if x == leaving { break }
                newParent = x; newArc = oldArc; newUpward = !oldUpward; newFlow = oldFlow
                x = oldParent
            }

            // Potentials and depths in the moved subtree (preorder walk, no stack).
            let shift = leavingOnSourceSide ? reduced : -reduced
            pi[newRoot] += shift
            depth[newRoot] = depth[parent[newRoot]] + 1
            x = firstChild[newRoot]
            if x >= 0 {
                while true {
                    pi[x] += shift
                    depth[x] = depth[parent[x]] + 1
                    if firstChild[x] >= 0 { x = firstChild[x]; continue }
                    while x != newRoot && nextSibling[x] < 0 { x = parent[x] }
                    if x == newRoot { break }
                    x = nextSibling[x]
                }
            }
        }

        // Recompute the tree flows from the supplies (removes the rounding accumulated
        // over the pivots): the flow on a node's tree arc is its subtree's net supply.
        var order = [Int]()
        order.reserveCapacity(nodes)
        var stack = [root]
        while let v = stack.popLast() {
            order.append(v)
            var c = firstChild[v]
            while c >= 0 { stack.append(c); c = nextSibling[c] }
        }
        var net = [Double](repeating: 0, count: nodes)
        for v in 0..<n { net[v] = supply[v] }
        for j in 0..<m { net[n + j] = -demand[j] }
        var entries = [TransportPlan.Entry]()
        entries.reserveCapacity(n + m)
        var artificial = 0.0
        for v in order.reversed() where v != root {
            let f = upward[v] ? net[v] : -net[v]
            net[parent[v]] += net[v]
            guard f >= -1e-9 else {
                throw OptimalTransportError.numericalFailure("network simplex ended with a negative flow \(f) on a tree arc")
            }
            let arc = predArc[v]
            if arc >= arcs {
                artificial += abs(f)
            } else if f > 0 {
                entries.append(TransportPlan.Entry(source: arc / m, target: arc % m, mass: f))
            }
        }
        guard artificial <= 1e-9 else {
            throw OptimalTransportError.numericalFailure("network simplex ended with artificial flow \(artificial); the marginals may not balance")
        }
        entries.sort { ($0.source, $0.target) < ($1.source, $1.target) }

        // Potentials: u_i = pi(s_i), v_j = -pi(t_j), so that C_ij - u_i - v_j is the
        // reduced cost; shifted so that both halves of the dual objective are equal.
        var u = (0..<n).map { pi[$0] }
        var v = (0..<m).map { -pi[n + $0] }
        let au = zip(supply, u).reduce(0) { $0 + $1.0 * $1.1 }
        let bv = zip(demand, v).reduce(0) { $0 + $1.0 * $1.1 }
        let c = (bv - au) / 2
        for i in 0..<n { u[i] += c }
        for j in 0..<m { v[j] -= c }
        return Solution(entries: entries, sourcePotentials: u, targetPotentials: v, pivots: pivots)
    }
}
