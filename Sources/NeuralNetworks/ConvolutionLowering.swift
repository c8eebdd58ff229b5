/// The geometry of a square-kernel 2-D convolution or pooling window on one image, and
/// the im2col / col2im lowering that turns a convolution into a matrix product.
///
/// The patch matrix of one image has `channels * kernel * kernel` rows (row
/// `(c * kernel + kh) * kernel + kw`) and `outHeight * outWidth` columns; several images
/// sit side by side (image `g` at column offset `g * outPlane`, leading dimension `ld`).
struct WindowGeometry: Equatable {
    let channels: Int
    let height: Int
    let width: Int
    let kernel: Int
    let stride: Int
    let padding: Int
    let outHeight: Int
    let outWidth: Int

    init(channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int) {
        self.channels = channels
        self.height = height
        self.width = width
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        outHeight = (height + 2 * padding - kernel) / stride + 1
        outWidth = (width + 2 * padding - kernel) / stride + 1
    }

    var inPlane: Int { height * width }
    var outPlane: Int { outHeight * outWidth }
    var patch: Int { channels * kernel * kernel }

    /// Output columns `ow` whose input column `ow * stride - padding + kw` is inside the image.
    @inline(__always)
    func validColumns(_ kw: Int) -> Range<Int> {
        let lowNumerator = padding - kw
        let low = lowNumerator <= 0 ? 0 : (lowNumerator + stride - 1) / stride
        let highNumerator = width - 1 + padding - kw
        let high = highNumerator < 0 ? 0 : min(outWidth, highNumerator / stride + 1)
        return low..<max(low, high)
    }

    /// Writes the patch matrix of one image `x` (`channels x height x width`) into `col`
    /// (rows of stride `ld`). Rows are short (the output width), so copies and zero fills
    /// are plain loops rather than library calls.
    func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, ld: Int) {
        let oh = outHeight, ow = outWidth
        for kw in 0..<kernel {
            let valid = validColumns(kw)
            let (lo, hi) = (valid.lowerBound, valid.upperBound)
            for c in 0..<channels {
                let plane = x + c * inPlane
                for kh in 0..<kernel {
                    let row = col + ((c * kernel + kh) * kernel + kw) * ld
                    for y in 0..<oh {
                        let out = row + y * ow
                        let ih = y * stride - padding + kh
                        if ih < 0 || ih >= height || lo >= hi {
                            for j in 0..<ow { out[j] = 0 }
                            continue
                        }
                        for j in 0..<lo { out[j] = 0 }
                        let src = plane + ih * width - padding + kw
                        if stride == 1 {
                            for j in lo..<hi { out[j] = src[j] }
                        } else {
                            for j in lo..<hi { out[j] = src[j * stride] }
                        }
                        for j in hi..<ow { out[j] = 0 }
                    }
                }
            }
        }
    }

    /// Adds the patch-matrix gradient `col` of one image back onto its input gradient
    /// `dx` (the adjoint of `im2col`), in a fixed order.
    func col2im(_ col: UnsafePointer<Float>, ld: Int, _ dx: UnsafeMutablePointer<Float>) {
        let oh = outHeight, ow = outWidth
        for c in 0..<channels {
            let plane = dx + c * inPlane
            for kh in 0..<kernel {
                for kw in 0..<kernel {
                    let row = col + ((c * kernel + kh) * kernel + kw) * ld
                    let valid = validColumns(kw)
                    let (lo, hi) = (valid.lowerBound, valid.upperBound)
                    if lo >= hi { continue }
                    for y in 0..<oh {
                        let ih = y * stride - padding + kh
                        if ih < 0 || ih >= height { continue }
                        let src = row + y * ow
                        let dst = plane + ih * width - padding + kw
                        if stride == 1 {
                            for j in lo..<hi { dst[j] += src[j] }
                        } else {
                            for j in lo..<hi { dst[j * stride] += src[j] }
                        }
                    }
                }
            }
        }
    }
}
