/// Max pooling over square windows (no padding), on NCHW batches.
///
/// `y[n, c, i, j] = max_{u, v < k} x[n, c, i*s + u, j*s + v]`; the gradient flows to the
/// first maximal element of each window in scan order. Output size `(H - k) / s + 1`.
/// A NaN propagates only when it is a window's first element (comparisons with NaN are
/// false); unlike PyTorch, a later NaN is passed over. Inputs are finite wherever the
/// toolkit builds them (data sets and weight files are checked).
///
/// - Complexity: `N C H' W' k^2`.
public struct MaxPool2d: Layer {
    /// Window side `k`.
    public let kernelSize: Int
    /// Stride `s` (defaults to `k`).
    public let stride: Int
    private var recordedShape: [Int]?
    private var recordedArgmax: [Int32] = []

    /// - Throws: `NeuralNetworkError.invalidArgument` for a non-positive kernel or stride.
    public init(kernelSize: Int, stride: Int? = nil) throws {
        guard kernelSize > 0, (stride ?? kernelSize) > 0 else {
            throw NeuralNetworkError.invalidArgument("MaxPool2d needs a positive kernel and stride")
        }
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
    }

    public mutating func forward(_ input: consuming Tensor, mode: ForwardMode) throws -> Tensor {
        let g = try poolingGeometry(input.shape, kernelSize, stride, "MaxPool2d")
        let n = input.shape[0], planes = n * g.channels
        var output = Tensor(uninitializedShape: [n, g.channels, g.outHeight, g.outWidth])
        let record = mode == .differentiable
        var argmax = [Int32](repeating: 0, count: record ? output.count : 0)
        let k = kernelSize, s = stride
        input.withUnsafeBufferPointer { xb in
            output.withUnsafeMutableBufferPointer { yb in
                argmax.withUnsafeMutableBufferPointer { ab in
                    guard let x = xb.baseAddress, let y = yb.baseAddress else { return }
                    let a = record ? ab.baseAddress : nil   // empty arrays may have a base address
                    BatchChunks.forEach(BatchChunks.ranges(batch: planes, workPerSample: g.inPlane)) { _, range in
                        for p in range {
                            let src = x + p * g.inPlane, dst = y + p * g.outPlane
                            if k == 2 {
                                for i in 0..<g.outHeight {
                                    MaxPool2d.pairOfRows(src + i * s * g.width, width: g.width, stride: s,
                                                         outWidth: g.outWidth, rowBase: Int32(i * s * g.width),
                                                         out: dst + i * g.outWidth,
                                                         argmax: a.map { $0 + p * g.outPlane + i * g.outWidth })
                                }
                                continue
                            }
                            for i in 0..<g.outHeight {
                                for j in 0..<g.outWidth {
                                    var best = src[i * s * g.width + j * s]
                                    var bestIndex = i * s * g.width + j * s
                                    for u in 0..<k {
                                        for v in 0..<k {
                                            let index = (i * s + u) * g.width + j * s + v
                                            if src[index] > best { best = src[index]; bestIndex = index }
                                        }
                                    }
                                    dst[i * g.outWidth + j] = best
                                    if let a { a[p * g.outPlane + i * g.outWidth + j] = Int32(bestIndex) }
                                }
                            }
                        }
                    }
                }
            }
        }
        recordedShape = record ? input.shape : nil
        recordedArgmax = argmax
        return output
    }

    public mutating func backward(_ outputGradient: consuming Tensor, targets: GradientTargets) throws -> Tensor {
        guard let shape = recordedShape else { throw NeuralNetworkError.missingForward("MaxPool2d") }
        guard targets.contains(.input) else { return Tensor() }
        let g = try poolingGeometry(shape, kernelSize, stride, "MaxPool2d")
        let n = shape[0], planes = n * g.channels
        try outputGradient.requireShape([n, g.channels, g.outHeight, g.outWidth], "MaxPool2d output gradient")
        var inputGradient = Tensor(shape: shape)
        outputGradient.withUnsafeBufferPointer { dyb in
            inputGradient.withUnsafeMutableBufferPointer { dxb in
                recordedArgmax.withUnsafeBufferPointer { ab in
                    guard let dy = dyb.baseAddress, let dx = dxb.baseAddress, let a = ab.baseAddress else { return }
                    BatchChunks.forEach(BatchChunks.ranges(batch: planes, workPerSample: g.inPlane)) { _, range in
                        for p in range {
                            let src = dy + p * g.outPlane, dst = dx + p * g.inPlane, idx = a + p * g.outPlane
                            for o in 0..<g.outPlane { dst[Int(idx[o])] += src[o] }
                        }
                    }
                }
            }
        }
        return inputGradient
    }

    /// One output row of 2 x 2 windows over rows `r0` and `r0 + width`: the maximum and
    /// the index (in the input plane) of the first maximal element in scan order, eight
    /// outputs at a time with branch-free selects when the stride is 1.
    @inline(__always)
    static func pairOfRows(_ r0: UnsafePointer<Float>, width: Int, stride: Int, outWidth: Int, rowBase: Int32,
                           out: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>?) {
        let r1 = r0 + width
        let w32 = Int32(truncatingIfNeeded: width)
        var j = 0
        if stride == 1 {
            let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
            while j + 8 <= outWidth {
                let start = lanes &+ (rowBase &+ Int32(truncatingIfNeeded: j))
                var best = VectorOps.load(r0 + j), index = start
                let b = VectorOps.load(r0 + j + 1), c = VectorOps.load(r1 + j), d = VectorOps.load(r1 + j + 1)
                var better = b .> best
                best.replace(with: b, where: better)
                index.replace(with: start &+ 1, where: better)
                better = c .> best
                best.replace(with: c, where: better)
                index.replace(with: start &+ w32, where: better)
                better = d .> best
                best.replace(with: d, where: better)
                index.replace(with: start &+ (w32 &+ 1), where: better)
                VectorOps.store(best, out + j)
                if let argmax { UnsafeMutableRawPointer(argmax + j).storeBytes(of: index, as: SIMD8<Int32>.self) }
                j += 8
            }
        }
        while j < outWidth {
            let c = j * stride
            var best = r0[c], offset: Int32 = 0
            if r0[c + 1] > best { best = r0[c + 1]; offset = 1 }
            if r1[c] > best { best = r1[c]; offset = w32 }
            if r1[c + 1] > best { best = r1[c + 1]; offset = w32 &+ 1 }
            out[j] = best
            if let argmax { argmax[j] = rowBase &+ Int32(truncatingIfNeeded: c) &+ offset }
            j += 1
        }
    }
}
