import Foundation
import MeasureKernels

/// The two profiles shared by the exact and Bures-Wasserstein kernels.
enum TransportProfiles {
    static func gaussian(_ s: Double, bandwidth: Double) -> KernelProfile {
        let value = exp(-s / (2 * bandwidth))
        return KernelProfile(value: value, derivative: -value / (2 * bandwidth))
    }

    static func riesz(_ s: Double, exponent: Double) -> KernelProfile {
        guard s > 0 else { return KernelProfile(value: 0, derivative: exponent == 2 ? -1 : 0) }
        let half = exponent / 2
        return KernelProfile(value: -pow(s, half), derivative: -half * pow(s, half - 1))
    }
}
