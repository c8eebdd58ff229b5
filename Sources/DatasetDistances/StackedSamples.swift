import LabeledData
import OptimalTransport
import WoWCompute

/// A labeled dataset flattened into one list of samples, class after class: the view of
/// OTDD and of every sample-level transport problem.
struct StackedSamples {
    /// `N x d`, the points of class 0, then class 1, ...
    var points: Matrix
    /// The class of each row.
    var classOf: [Int]
    /// `a_c b_ci` for point `i` of class `c` (summing to one).
    var weights: [Double]

    init(_ dataset: LabeledDataset) throws {
        let d = dataset.dimension
        var storage = [Float]()
        storage.reserveCapacity(dataset.pointCount * d)
        var classOf = [Int](), weights = [Double]()
        for (c, measure) in dataset.classes.enumerated() {
            storage.append(contentsOf: measure.points.storage)
            let total = (0..<measure.count).reduce(0.0) { $0 + Double(measure.weight($1)) }
            for i in 0..<measure.count {
                classOf.append(c)
                weights.append(dataset.classWeights[c] * Double(measure.weight(i)) / total)
            }
        }
        let sum = weights.reduce(0, +)
        self.points = try Matrix(rows: classOf.count, columns: d, storage: storage)
        self.classOf = classOf
        self.weights = weights.map { $0 / sum }
    }
}

/// `|x_i - y_j|^2` with exact zeros between bitwise identical points.
///
/// The `.gemm` evaluation of `SquaredEuclidean` (chosen automatically for large problems)
/// expands `|x|^2 + |y|^2 - 2 x.y`, which leaves rounding noise where `x = y`; pairs of
/// identical rows are found by hashing the rows (`O((n + m) d)`) and set to exactly 0, so
/// that a dataset compared with itself has a zero-diagonal ground cost.
func squaredEuclideanCosts(_ x: Matrix, _ y: Matrix) throws -> [Double] {
    var values = try SquaredEuclidean.costMatrix(x, y).values
    let d = x.columns, m = y.rows
    func rowKey(_ matrix: Matrix, _ r: Int) -> [UInt32] {
        matrix.withUnsafeBufferPointer { p in (0..<d).map { p[r * d + $0].bitPattern } }
    }
    var targetsByRow = [[UInt32]: [Int]]()
    for j in 0..<m { targetsByRow[rowKey(y, j), default: []].append(j) }
    for i in 0..<x.rows {
        guard let matches = targetsByRow[rowKey(x, i)] else { continue }
        for j in matches { values[i * m + j] = 0 }
    }
    return values
}
