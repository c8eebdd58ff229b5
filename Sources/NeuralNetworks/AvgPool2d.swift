/// Average pooling over square windows (no padding), on NCHW batches.
///
/// `y[n, c, i, j] = mean_{u, v < k} x[n, c, i*s + u, j*s + v]`; output size
/// `(H - k) / s + 1` per axis (floor, as in PyTorch).
///
/// - Complexity: `N C H' W' k^2`.
public struct AvgPool2d: Layer {
    /// Window side `k`.
    public let kernelSize: Int
    /// Stride `s` (defaults to `k`).
    public let stride: Int
    private var recordedShape: [Int]?

    /// - Throws: `NeuralNetworkError.invalidArgument` for a non-positive kernel or stride.
    public init(kernelSize: Int, stride: Int? = nil) throws {
        guard kernelSize > 0, (stride ?? kernelSize) > 0 else {
            throw NeuralNetworkError.invalidArgument("AvgPool2d needs a positive kernel and stride")
        }
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
    }

    public mutating func forward(_ input: consuming Tensor, mode: ForwardMode) throws -> Tensor {
        let g = try poolingGeometry(input.shape, kernelSize, stride, "AvgPool2d")
        let n = input.shape[0], planes = n * g.channels
        var output = Tensor(uninitializedShape: [n, g.channels, g.outHeight, g.outWidth])
        let k = kernelSize, s = stride, scale = 1 / Float(k * k)
        input.withUnsafeBufferPointer { xb in
            output.withUnsafeMutableBufferPointer { yb in
                guard let x = xb.baseAddress, let y = yb.baseAddress else { return }
                BatchChunks.forEach(BatchChunks.ranges(batch: planes, workPerSample: g.inPlane)) { _, range in
                    for p in range {
                        let src = x + p * g.inPlane, dst = y + p * g.outPlane
                        if k == 2 && s == 2 {
                            for i in 0..<g.outHeight {
                                let r0 = src + 2 * i * g.width, r1 = r0 + g.width, out = dst + i * g.outWidth
                                for j in 0..<g.outWidth {
                                    out[j] = ((r0[2 * j] + r0[2 * j + 1]) + (r1[2 * j] + r1[2 * j + 1])) * scale
                                }
                            }
                            continue
                        }
                        for i in 0..<g.outHeight {
                            for j in 0..<g.outWidth {
                                var total: Float = 0
                                for u in 0..<k {
                                    let row = src + (i * s + u) * g.width + j * s
                                    for v in 0..<k { total += row[v] }
                                }
                                dst[i * g.outWidth + j] = total * scale
                            }
                        }
                    }
                }
            }
        }
        recordedShape = mode == .differentiable ? input.shape : nil
        return output
    }

    public mutating func backward(_ outputGradient: consuming Tensor, targets: GradientTargets) throws -> Tensor {
        guard let shape = recordedShape else { throw NeuralNetworkError.missingForward("AvgPool2d") }
        guard targets.contains(.input) else { return Tensor() }
        let g = try poolingGeometry(shape, kernelSize, stride, "AvgPool2d")
        let n = shape[0], planes = n * g.channels
        try outputGradient.requireShape([n, g.channels, g.outHeight, g.outWidth], "AvgPool2d output gradient")
        let k = kernelSize, s = stride, scale = 1 / Float(k * k)
        // Non-overlapping windows (k == s) write every input gradient once: no zero fill.
        let disjoint = k == s
        var inputGradient = disjoint ? Tensor(uninitializedShape: shape) : Tensor(shape: shape)
        outputGradient.withUnsafeBufferPointer { dyb in
            inputGradient.withUnsafeMutableBufferPointer { dxb in
                guard let dy = dyb.baseAddress, let dx = dxb.baseAddress, planes > 0 else { return }
                BatchChunks.forEach(BatchChunks.ranges(batch: planes, workPerSample: g.inPlane)) { _, range in
                    for p in range {
                        let src = dy + p * g.outPlane, dst = dx + p * g.inPlane
                        if disjoint {
                            let coveredRows = g.outHeight * k, coveredColumns = g.outWidth * k
                            for i in 0..<g.outHeight {
                                let out = src + i * g.outWidth
                                for u in 0..<k {
                                    let row = dst + (i * k + u) * g.width
                                    if k == 2 {
                                        for j in 0..<g.outWidth { let v = out[j] * scale; row[2 * j] = v; row[2 * j + 1] = v }
                                    } else {
                                        for j in 0..<g.outWidth {
                                            let v = out[j] * scale
                                            for t in 0..<k { row[j * k + t] = v }
                                        }
                                    }
                                    if coveredColumns < g.width { (row + coveredColumns).update(repeating: 0, count: g.width - coveredColumns) }
                                }
                            }
                            if coveredRows < g.height {
                                (dst + coveredRows * g.width).update(repeating: 0, count: (g.height - coveredRows) * g.width)
                            }
                            continue
                        }
                        for i in 0..<g.outHeight {
                            for j in 0..<g.outWidth {
                                let value = src[i * g.outWidth + j] * scale
                                for u in 0..<k {
                                    let row = dst + (i * s + u) * g.width + j * s
                                    for v in 0..<k { row[v] += value }
                                }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }
}

/// Validated geometry of a pooling window on an NCHW shape.
func poolingGeometry(_ shape: [Int], _ kernel: Int, _ stride: Int, _ name: String) throws -> WindowGeometry {
    guard shape.count == 4 else {
        throw NeuralNetworkError.shapeMismatch("\(name) expects an NCHW input, got shape \(shape)")
    }
    guard shape[2] >= kernel, shape[3] >= kernel else {
        throw NeuralNetworkError.shapeMismatch("\(name) window \(kernel) does not fit an image of \(shape[2]) x \(shape[3])")
    }
    return WindowGeometry(channels: shape[1], height: shape[2], width: shape[3], kernel: kernel, stride: stride, padding: 0)
}
