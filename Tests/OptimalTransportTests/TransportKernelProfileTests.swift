import Foundation
import XCTest
import WassersteinFlows

/// The exact-W2 and Bures-Wasserstein kernels share the sliced kernels' profiles and
/// parameter checks: pinned at `S = 0` and a positive `S` against the formulas, and
/// against the sliced kernel of the same profile.
final class TransportKernelProfileTests: XCTestCase {
    func testGaussianProfilesAgreeWithTheFormulaAndWithGaussianSW() throws {
        let sliced = try GaussianSW(bandwidth: 0.3)
        for kernel in [try GaussianW2(bandwidth: 0.3).profile, try GaussianBW(bandwidth: 0.3).profile] {
            XCTAssertEqual(kernel(0), KernelProfile(value: 1, derivative: -1 / 0.6))
            for s in [0, 0.37, 2.5] {
                XCTAssertEqual(kernel(s).value, exp(-s / 0.6), accuracy: 1e-15)
                XCTAssertEqual(kernel(s).derivative, -exp(-s / 0.6) / 0.6, accuracy: 1e-14)
                XCTAssertEqual(kernel(s), sliced.profile(s))
            }
        }
    }

    /// Riesz at `S = 0`: value 0, derivative 0 for `r < 2` (the formula's `-infinity`
    /// replaced deliberately) and `-1` for `r = 2` (the formula's constant); never NaN.
    func testRieszProfilesAtZeroAndAtAPositiveDiscrepancy() throws {
        for r in [0.5, 1, 1.5, 2] {
            let kernels = [try RieszW2(exponent: r).profile, try RieszBW(exponent: r).profile]
            for kernel in kernels {
                XCTAssertEqual(kernel(0), KernelProfile(value: 0, derivative: r == 2 ? -1 : 0), "r = \(r)")
                XCTAssertEqual(kernel(0.37).value, -pow(0.37, r / 2), accuracy: 1e-15, "r = \(r)")
                XCTAssertEqual(kernel(0.37).derivative, -(r / 2) * pow(0.37, r / 2 - 1), accuracy: 1e-14, "r = \(r)")
                if r < 2 {
                    let sliced = try RieszSW(exponent: r)
                    for s in [0, 0.37, 2.5] { XCTAssertEqual(kernel(s), sliced.profile(s), "r = \(r) at \(s)") }
                }
            }
        }
    }

    func testParameterChecksShareTheirMessages() {
        func message(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch { return (error as? KernelError)?.description }
        }
        let bandwidth = "invalid kernel parameter: bandwidth must be positive and finite, got 0.0"
        XCTAssertEqual(message { _ = try GaussianW2(bandwidth: 0) }, bandwidth)
        XCTAssertEqual(message { _ = try GaussianBW(bandwidth: 0) }, bandwidth)
        XCTAssertEqual(message { _ = try GaussianSW(bandwidth: 0) }, bandwidth)
        XCTAssertEqual(message { _ = try GaussianBW(bandwidth: 1, ridge: .nan) },
                       "invalid kernel parameter: ridge must be positive and finite, got nan")
        XCTAssertEqual(message { _ = try RieszBW(exponent: 1, ridge: -1) },
                       "invalid kernel parameter: ridge must be positive and finite, got -1.0")
        XCTAssertEqual(message { _ = try RieszW2(exponent: 2.5) }, "invalid kernel parameter: Riesz exponent must lie in (0, 2], got 2.5")
        XCTAssertEqual(message { _ = try RieszBW(exponent: 0) }, "invalid kernel parameter: Riesz exponent must lie in (0, 2], got 0.0")
        XCTAssertEqual(message { _ = try RieszSW(exponent: 2) }, "invalid kernel parameter: Riesz exponent must lie in (0, 2), got 2.0")
        XCTAssertNil(message { _ = try RieszW2(exponent: 2) })
        XCTAssertNotNil(message { _ = try RieszW2(exponent: .nan) })
    }
}
