import Synchronization
import WoWCompute
import _WoWKernels

/// 2-D convolution (cross-correlation, as in PyTorch) with a square kernel, stride and
/// zero padding, on NCHW batches.
///
/// `y[n, o, i, j] = b[o] + sum_{c, u, v} w[o, c, u, v] * x[n, c, i*s - p + u, j*s - p + v]`
/// (zero outside the image). Output size `(H + 2p - k) / s + 1` per axis (floor).
///
/// Lowered to matrix products: each image's patch matrix (im2col, `C k^2` rows,
/// `H' W'` columns) is multiplied by the weight matrix `(O, C k^2)` with the packed
/// AVX2/FMA GEMM of `WoWCompute`. Images with small outputs are grouped side by side
/// so that every product has at least ~256 columns. The batch is spread over
/// `Parallel.threads` workers; the weight gradient is summed per chunk of images and the
/// chunks are added in order (bitwise independent of the thread count). A batch whose
/// patch matrices fit in 16 MB keeps them for the backward pass; larger ones are
/// recomputed there. A batch that forms a single chunk uses the parallel GEMM instead.
/// 1 x 1 kernels without stride or padding use the image itself as patch matrix.
///
/// - Complexity: `2 N O C k^2 H' W'` flops forward; twice that backward.
public struct Conv2d: Layer {
    /// Input channels `C`.
    public let inChannels: Int
    /// Output channels `O`.
    public let outChannels: Int
    /// Kernel side `k`.
    public let kernelSize: Int
    /// Stride `s` (both axes).
    public let stride: Int
    /// Zero padding `p` (all four sides).
    public let padding: Int
    /// Weights, shape `(O, C, k, k)`.
    public var weight: Parameter
    /// Biases, shape `(O)`.
    public var bias: Parameter

    private var recordedInput: Tensor?
    private var recordedPatches: Tensor?

    /// A convolution initialised uniformly in `+-1/sqrt(C k^2)` (weights, then biases).
    ///
    /// - Throws: `NeuralNetworkError.invalidArgument` for non-positive channel counts,
    ///   kernel or stride, or negative padding.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                using generator: inout some RandomNumberGenerator) throws {
        try Conv2d.validate(inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize,
                            stride: stride, padding: padding)
        let fanIn = inChannels * kernelSize * kernelSize
        let w = try Initialization.uniform(shape: [outChannels, inChannels, kernelSize, kernelSize], fanIn: fanIn, using: &generator)
        let b = try Initialization.uniform(shape: [outChannels], fanIn: fanIn, using: &generator)
        self.init(unchecked: w, b, stride: stride, padding: padding)
    }

    /// A convolution with the given weights `(O, C, k, k)` and biases `(O)`.
    ///
    /// - Throws: `NeuralNetworkError.shapeMismatch` / `.invalidArgument` for shapes or
    ///   settings that do not fit.
    public init(weight: Tensor, bias: Tensor, stride: Int = 1, padding: Int = 0) throws {
        guard weight.rank == 4, weight.shape[2] == weight.shape[3] else {
            throw NeuralNetworkError.shapeMismatch("convolution weights must have shape (O, C, k, k), got \(weight.shape)")
        }
        guard bias.shape == [weight.shape[0]] else {
            throw NeuralNetworkError.shapeMismatch("convolution bias must have shape [\(weight.shape[0])], got \(bias.shape)")
        }
        try Conv2d.validate(inChannels: weight.shape[1], outChannels: weight.shape[0], kernelSize: weight.shape[2],
                            stride: stride, padding: padding)
        self.init(unchecked: weight, bias, stride: stride, padding: padding)
    }

    private init(unchecked w: Tensor, _ b: Tensor, stride: Int, padding: Int) {
        outChannels = w.shape[0]
        inChannels = w.shape[1]
        kernelSize = w.shape[2]
        self.stride = stride
        self.padding = padding
        weight = Parameter(w)
        bias = Parameter(b)
    }

    private static func validate(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int, padding: Int) throws {
        guard inChannels > 0, outChannels > 0, kernelSize > 0, stride > 0, padding >= 0 else {
            throw NeuralNetworkError.invalidArgument(
                "Conv2d needs positive channels, kernel and stride and non-negative padding (got C=\(inChannels), O=\(outChannels), k=\(kernelSize), s=\(stride), p=\(padding))")
        }
        guard Tensor.elementCount([outChannels, inChannels, kernelSize, kernelSize]) != nil else {
            throw NeuralNetworkError.invalidArgument("Conv2d weights of shape [\(outChannels), \(inChannels), \(kernelSize), \(kernelSize)] have more than \(Int.max) elements")
        }
    }

    public mutating func visitParameters(_ body: (inout Parameter) throws -> Void) rethrows {
        try body(&weight)
        try body(&bias)
    }

    /// The window geometry for an input shape, validated.
    func geometry(for shape: [Int]) throws -> WindowGeometry {
        guard shape.count == 4, shape[1] == inChannels else {
            throw NeuralNetworkError.shapeMismatch("Conv2d(\(inChannels) -> \(outChannels)) expects input (N, \(inChannels), H, W), got \(shape)")
        }
        guard shape[2] + 2 * padding >= kernelSize, shape[3] + 2 * padding >= kernelSize else {
            throw NeuralNetworkError.shapeMismatch("Conv2d kernel \(kernelSize) with padding \(padding) does not fit an image of \(shape[2]) x \(shape[3])")
        }
        return WindowGeometry(channels: inChannels, height: shape[2], width: shape[3],
                              kernel: kernelSize, stride: stride, padding: padding)
    }

    /// `C = alpha op(A) op(B) + beta C`: serial inside a chunk of a parallel loop, or the
    /// parallel (still thread-count independent) GEMM when the batch is a single chunk.
    @inline(__always)
    static func product(_ parallel: Bool, _ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int,
                        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        if parallel {
            gemm(ta ? .transposed : .none, tb ? .transposed : .none, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb,
                 beta: beta, c, ldc: ldc)
        } else {
            wow_sgemm(Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), ta ? 1 : 0, b, Int32(ldb), tb ? 1 : 0, beta, c, Int32(ldc))
        }
    }

    /// Images per matrix product: enough for ~256 output columns.
    static func groupSize(_ g: WindowGeometry) -> Int {
        max(1, min(64, (256 + g.outPlane - 1) / g.outPlane))
    }

    /// Patch matrices of a whole batch up to this many floats (16 MB) are kept from the
    /// forward pass for the weight gradient; larger ones are recomputed.
    static var storedPatchLimit: Int {
        get { patchLimit.load(ordering: .relaxed) }
        set { patchLimit.store(newValue, ordering: .relaxed) }
    }
    private static let patchLimit = Atomic<Int>(1 << 22)

    /// Where the patch matrix of images `s..<s+gs` comes from: the image itself (1 x 1
    /// kernels without stride or padding, one image per product), the copy kept by the
    /// forward pass, or im2col into `scratch`. Returns the matrix (leading dimension
    /// `gs * outPlane`).
    @inline(__always)
    static func patches(_ g: WindowGeometry, _ x: UnsafePointer<Float>, _ s: Int, _ gs: Int,
                        stored: UnsafeMutablePointer<Float>?, fill: Bool, scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        let plane = g.outPlane, inSample = g.channels * g.inPlane
        if gs == 1 && g.kernel == 1 && g.stride == 1 && g.padding == 0 { return x + s * inSample }
        let ld = gs * plane
        if let stored {
            let block = stored + s * g.patch * plane
            if fill { for i in 0..<gs { g.im2col(x + (s + i) * inSample, block + i * plane, ld: ld) } }
            return UnsafePointer(block)
        }
        for i in 0..<gs { g.im2col(x + (s + i) * inSample, scratch + i * plane, ld: ld) }
        return UnsafePointer(scratch)
    }

    public mutating func forward(_ input: consuming Tensor, mode: ForwardMode) throws -> Tensor {
        let g = try geometry(for: input.shape)
        let n = input.batchSize
        var output = Tensor(uninitializedShape: [n, outChannels, g.outHeight, g.outWidth])
        recordedInput = nil
        recordedPatches = nil
        guard n > 0 else {
            if mode == .differentiable { recordedInput = input }
            return output
        }
        let group = Conv2d.groupSize(g)
        let ranges = BatchChunks.ranges(batch: n, workPerSample: outChannels * g.outPlane * g.patch, minimumPerChunk: group)
        let outChannels = self.outChannels
        let plane = g.outPlane, patch = g.patch
        let single = ranges.count == 1
        let outSample = outChannels * plane
        let stored: Tensor? = mode == .differentiable && n * patch * plane <= Conv2d.storedPatchLimit
            ? Tensor(uninitializedShape: [n * patch * plane]) : nil
        let storedPointer = stored?.buffer.pointer   // freshly allocated, so uniquely owned
        input.withUnsafeBufferPointer { xBuffer in
            weight.value.withUnsafeBufferPointer { wBuffer in
                bias.value.withUnsafeBufferPointer { bBuffer in
                    output.withUnsafeMutableBufferPointer { yBuffer in
                        let x = xBuffer.baseAddress!, w = wBuffer.baseAddress!, b = bBuffer.baseAddress!
                        let y = yBuffer.baseAddress!
                        BatchChunks.forEach(ranges) { _, range in
                            let col = Scratch(storedPointer == nil ? patch * group * plane : 1)
                            let tmp = Scratch(group > 1 ? outChannels * group * plane : 1)
                            defer { col.free(); tmp.free() }
                            var s = range.lowerBound
                            while s < range.upperBound {
                                let gs = min(group, range.upperBound - s)
                                let ld = gs * plane
                                let a = Conv2d.patches(g, x, s, gs, stored: storedPointer, fill: true, scratch: col.pointer)
                                if gs == 1 {
                                    // Product first, then the bias, like the grouped path: the
                                    // same bits for an image alone or in any batch (accumulating
                                    // onto the bias would round differently once the depth is
                                    // cut into blocks).
                                    let out = y + s * outSample
                                    Conv2d.product(single, false, false, outChannels, plane, patch, w, patch,
                                                   a, plane, 0, out, plane)
                                    for o in 0..<outChannels {
                                        let dst = out + o * plane, bo = b[o]
                                        for j in 0..<plane { dst[j] += bo }
                                    }
                                } else {
                                    Conv2d.product(single, false, false, outChannels, ld, patch, w, patch,
                                                   a, ld, 0, tmp.pointer, ld)
                                    for i in 0..<gs {
                                        let out = y + (s + i) * outSample
                                        for o in 0..<outChannels {
                                            let src = tmp.pointer + o * ld + i * plane, dst = out + o * plane
                                            let bo = b[o]
                                            for j in 0..<plane { dst[j] = src[j] + bo }
                                        }
                                    }
                                }
                                s += gs
                            }
                        }
                    }
                }
            }
        }
        if mode == .differentiable {
            recordedInput = input
            recordedPatches = stored
        }
        return output
    }

    public mutating func backward(_ outputGradient: consuming Tensor, targets: GradientTargets) throws -> Tensor {
        guard let input = recordedInput else { throw NeuralNetworkError.missingForward("Conv2d") }
        let g = try geometry(for: input.shape)
        let n = input.batchSize
        try outputGradient.requireShape([n, outChannels, g.outHeight, g.outWidth], "Conv2d output gradient")
        let wantInput = targets.contains(.input), wantParameters = targets.contains(.parameters)
        var inputGradient = wantInput ? Tensor(shape: input.shape) : Tensor()
        guard n > 0, wantInput || wantParameters else { return inputGradient }
        let group = Conv2d.groupSize(g)
        let ranges = BatchChunks.ranges(batch: n, workPerSample: outChannels * g.outPlane * g.patch, minimumPerChunk: group)
        let outChannels = self.outChannels
        let plane = g.outPlane, patch = g.patch
        let single = ranges.count == 1
        let inSample = inChannels * g.inPlane, outSample = outChannels * plane
        let weightSums = PartialSums(chunks: wantParameters ? ranges.count : 0, size: outChannels * patch)
        let biasSums = PartialSums(chunks: wantParameters ? ranges.count : 0, size: outChannels)
        defer { weightSums.free(); biasSums.free() }
        let stored = recordedPatches
        input.withUnsafeBufferPointer { xBuffer in
            outputGradient.withUnsafeBufferPointer { dyBuffer in
                weight.value.withUnsafeBufferPointer { wBuffer in
                    inputGradient.withUnsafeMutableBufferPointer { dxBuffer in
                        (stored ?? Tensor()).withUnsafeBufferPointer { storedBuffer in
                            let x = xBuffer.baseAddress!, dy = dyBuffer.baseAddress!, w = wBuffer.baseAddress!
                            // Empty arrays may still have a base address: select by the flags.
                            let dx = wantInput ? dxBuffer.baseAddress : nil
                            let storedPointer = stored == nil ? nil : UnsafeMutablePointer(mutating: storedBuffer.baseAddress!)
                            BatchChunks.forEach(ranges) { chunk, range in
                                let col = Scratch(patch * group * plane)
                                let gathered = Scratch(group > 1 ? outChannels * group * plane : 1)
                                defer { col.free(); gathered.free() }
                                var s = range.lowerBound
                                while s < range.upperBound {
                                    let gs = min(group, range.upperBound - s)
                                    let ld = gs * plane
                                    let dyGroup: UnsafeMutablePointer<Float>
                                    if gs == 1 {
                                        dyGroup = UnsafeMutablePointer(mutating: dy + s * outSample)
                                    } else {
                                        dyGroup = gathered.pointer
                                        for i in 0..<gs {
                                            for o in 0..<outChannels {
                                                (dyGroup + o * ld + i * plane).update(from: dy + (s + i) * outSample + o * plane, count: plane)
                                            }
                                        }
                                    }
                                    if wantParameters {
                                        let a = Conv2d.patches(g, x, s, gs, stored: storedPointer, fill: false, scratch: col.pointer)
                                        Conv2d.product(single, false, true, outChannels, patch, ld, dyGroup, ld,
                                                       a, ld, 1, weightSums.chunk(chunk), patch)
                                        let db = biasSums.chunk(chunk)
                                        for o in 0..<outChannels {
                                            db[o] += VectorOps.sum(dyGroup + o * ld, ld)
                                        }
                                    }
                                    if let dx {
                                        Conv2d.product(single, true, false, patch, ld, outChannels, w, patch,
                                                       dyGroup, ld, 0, col.pointer, ld)
                                        for i in 0..<gs { g.col2im(col.pointer + i * plane, ld: ld, dx + (s + i) * inSample) }
                                    }
                                    s += gs
                                }
                            }
                        }
                    }
                }
            }
        }
        if wantParameters {
            weight.gradient.withUnsafeMutableBufferPointer { weightSums.add(into: $0.baseAddress!) }
            bias.gradient.withUnsafeMutableBufferPointer { biasSums.add(into: $0.baseAddress!) }
        }
        return inputGradient
    }
}
