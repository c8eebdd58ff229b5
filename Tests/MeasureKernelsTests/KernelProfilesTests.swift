import Foundation
import XCTest
@testable import MeasureKernels

/// The shared kernel profiles (`KernelProfiles`) pinned at `S = 0` and at a positive `S`
/// against their formulas (written here independently: powers instead of `exp` quotients
/// where possible) and against a central difference for the derivative, and the sliced
/// kernels' `profile` and parameter checks routed through them.
final class KernelProfilesTests: XCTestCase {
    /// `(name, profile, phi, phi')` for each profile, with the parameters used below.
    static let profiles: [(String, @Sendable (Double) -> KernelProfile, @Sendable (Double) -> Double, @Sendable (Double) -> Double)] = [
        ("gaussian h=0.3", { KernelProfiles.gaussian($0, bandwidth: 0.3) },
         { exp(-$0 / 0.6) }, { -exp(-$0 / 0.6) / 0.6 }),
        ("laplace h=0.8", { KernelProfiles.laplace($0, bandwidth: 0.8) },
         { exp(-$0 / 0.8) }, { -exp(-$0 / 0.8) / 0.8 }),
        ("imq h=0.3", { KernelProfiles.inverseMultiquadric($0, offset: 0.3) },
         { pow(0.3 + $0, -0.5) }, { -0.5 * pow(0.3 + $0, -1.5) }),
        ("riesz r=1", { KernelProfiles.riesz($0, exponent: 1) },
         { -$0.squareRoot() }, { -0.5 / $0.squareRoot() }),
        ("riesz r=0.5", { KernelProfiles.riesz($0, exponent: 0.5) },
         { -pow($0, 0.25) }, { -0.25 * pow($0, -0.75) }),
        ("riesz r=1.5", { KernelProfiles.riesz($0, exponent: 1.5) },
         { -pow($0, 0.75) }, { -0.75 * pow($0, -0.25) }),
        ("riesz r=2", { KernelProfiles.riesz($0, exponent: 2) }, { -$0 }, { _ in -1 }),
    ]

    func testProfilesMatchTheirFormulasAtAPositiveDiscrepancy() {
        for (name, profile, phi, derivative) in Self.profiles {
            for s in [0.37, 2.5] {
                let p = profile(s)
                XCTAssertEqual(p.value, phi(s), accuracy: 1e-14 * max(1, abs(phi(s))), "\(name) at \(s)")
                XCTAssertEqual(p.derivative, derivative(s), accuracy: 1e-14 * max(1, abs(derivative(s))), "\(name) at \(s)")
                let h = 1e-6
                let difference = (profile(s + h).value - profile(s - h).value) / (2 * h)
                XCTAssertEqual(p.derivative, difference, accuracy: 1e-7 * max(1, abs(difference)), "\(name) at \(s)")
            }
        }
    }

    /// At `S = 0`: the smooth profiles take their values there; Riesz gives value 0 and
    /// derivative 0 for `r < 2` (the limit is `-infinity`), `-1` for `r = 2`. Never NaN.
    func testProfilesAtZeroAreFiniteAndDeliberate() {
        let expected: [String: (Double, Double)] = [
            "gaussian h=0.3": (1, -1 / 0.6),
            "laplace h=0.8": (1, -1 / 0.8),
            "imq h=0.3": (1 / 0.3.squareRoot(), -0.5 / (0.3 * 0.3.squareRoot())),
            "riesz r=1": (0, 0),
            "riesz r=0.5": (0, 0),
            "riesz r=1.5": (0, 0),
            "riesz r=2": (0, -1),
        ]
        for (name, profile, phi, _) in Self.profiles {
            let p = profile(0)
            XCTAssertTrue(p.value.isFinite && p.derivative.isFinite, name)
            XCTAssertEqual(p.value, phi(0), accuracy: 1e-15, name)
            XCTAssertEqual(p.value, expected[name]!.0, accuracy: 1e-15, name)
            XCTAssertEqual(p.derivative, expected[name]!.1, accuracy: 1e-14, name)
            XCTAssertFalse(p.value.sign == .minus && p.value == 0, "\(name): -0 at S = 0")
        }
    }

    func testSlicedKernelsUseTheSharedProfiles() throws {
        let kernels: [(String, (Double) -> KernelProfile, (Double) -> KernelProfile)] = [
            ("gaussian", try GaussianSW(bandwidth: 0.3).profile, { KernelProfiles.gaussian($0, bandwidth: 0.3) }),
            ("laplace", try LaplaceSW(bandwidth: 0.8).profile, { KernelProfiles.laplace($0, bandwidth: 0.8) }),
            ("imq", try IMQSW(bandwidth: 0.3).profile, { KernelProfiles.inverseMultiquadric($0, offset: 0.3) }),
            ("riesz", try RieszSW(exponent: 1.5).profile, { KernelProfiles.riesz($0, exponent: 1.5) }),
        ]
        for (name, kernel, shared) in kernels {
            for s in [0, 1e-300, 0.37, 2.5] {
                XCTAssertEqual(kernel(s), shared(s), "\(name) at \(s)")
            }
        }
    }

    func testParameterChecksAreTypedErrors() {
        for bad in [0, -1, .infinity, .nan] as [Double] {
            XCTAssertThrowsError(try KernelProfiles.checkPositive(bad)) {
                XCTAssertEqual($0 as? KernelError, .invalidParameter("bandwidth must be positive and finite, got \(bad)"))
            }
            XCTAssertThrowsError(try IMQSW(bandwidth: bad))
            XCTAssertThrowsError(try LaplaceSW(bandwidth: bad))
        }
        XCTAssertThrowsError(try KernelProfiles.checkPositive(0, name: "ridge")) {
            XCTAssertEqual($0 as? KernelError, .invalidParameter("ridge must be positive and finite, got 0.0"))
        }
        XCTAssertNoThrow(try KernelProfiles.checkPositive(1e-300))
        for bad in [0, -0.5, 2.5, .infinity, .nan] as [Double] {
            XCTAssertThrowsError(try KernelProfiles.checkRieszExponent(bad, includingTwo: true))
            XCTAssertThrowsError(try KernelProfiles.checkRieszExponent(bad, includingTwo: false))
        }
        XCTAssertNoThrow(try KernelProfiles.checkRieszExponent(2, includingTwo: true))
        XCTAssertThrowsError(try KernelProfiles.checkRieszExponent(2, includingTwo: false)) {
            XCTAssertEqual($0 as? KernelError, .invalidParameter("Riesz exponent must lie in (0, 2), got 2.0"))
        }
        XCTAssertThrowsError(try RieszSW(exponent: 2))
        XCTAssertNoThrow(try RieszSW(exponent: 1.999))
    }
}
