import Foundation
import XCTest
import NumPyFiles

/// A small deterministic generator (SplitMix64) so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Mutated inputs never trap: each decode either succeeds or throws `NumPyFileError`.
final class RobustnessTests: XCTestCase {
    /// Decodes `bytes` as `.npy` and as `.npz` with both Fortran policies. Any other error
    /// type fails the test; a trap would crash the test run. A successful `.npy` decode must
    /// re-encode and decode to the identical array.
    private func decodeEverything(_ bytes: Data, _ label: String) {
        for policy in [FortranOrderHandling.reject, .convertToCOrder] {
            do {
                let array = try NumPyArray(npyData: bytes, fortranOrder: policy)
                let again = try NumPyArray(npyData: try array.npyData())
                XCTAssertTrue(again.isIdentical(to: array), label)
            } catch is NumPyFileError {
            } catch {
                XCTFail("\(label): npy decode threw \(type(of: error)): \(error)")
            }
            do {
                _ = try NPZArchive(npzData: bytes, fortranOrder: policy)
            } catch is NumPyFileError {
            } catch {
                XCTFail("\(label): npz decode threw \(type(of: error)): \(error)")
            }
        }
    }

    private func seeds() throws -> [(String, Data)] {
        var result = [(String, Data)]()
        for name in ["f4.npy", "be_f8.npy", "fortran_i2.npy", "v3_i8.npy", "scalar_f8.npy", "savez.npz", "savez_compressed.npz"] {
            result.append((name, try fixtureData(name)))
        }
        let archive = try NPZArchive([("a", try sampleArray(.float32, shape: [2, 3, 4])), ("b", try sampleArray(.int64, shape: [5]))])
        result.append(("toolkit-deflated-zip64", try archive.npzData(compression: .deflated, forceZip64: true)))
        result.append(("toolkit-stored", try archive.npzData()))
        return result
    }

    func testRandomByteMutationsAndTruncationsNeverTrap() throws {
        var rng = SplitMix64(state: 0x5EED)
        for (name, original) in try seeds() {
            for iteration in 0..<300 {
                var bytes = [UInt8](original)
                switch iteration % 5 {
                case 0:
                    for _ in 0..<Int.random(in: 1...4, using: &rng) {
                        bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                    }
                case 1:
                    bytes.removeLast(Int.random(in: 1...bytes.count, using: &rng))
                case 2:
                    let at = Int.random(in: 0...(bytes.count - 4), using: &rng)
                    let fill: UInt8 = Bool.random(using: &rng) ? 0xFF : 0x00
                    bytes.replaceSubrange(at..<(at + 4), with: [fill, fill, fill, fill])
                case 3:
                    let at = Int.random(in: 0...bytes.count, using: &rng)
                    bytes.insert(contentsOf: (0..<Int.random(in: 1...9, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
                default:
                    let at = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...16, using: &rng)))
                }
                decodeEverything(Data(bytes), "\(name) #\(iteration)")
            }
        }
    }

    /// Header text rewritten with characters of the literal grammar, so the parser sees
    /// near-valid dicts, tuples, strings and numbers.
    func testGrammarAwareHeaderMutationsNeverTrap() throws {
        var rng = SplitMix64(state: 0xA11CE)
        let alphabet = Array("{}()[],:'\" \n0123456789-+L_TrueFalsNondscrihpaot<>|=fub".utf8)
        let original = [UInt8](try fixtureData("f4.npy"))
        let headerEnd = 10 + (Int(original[8]) | Int(original[9]) << 8)
        var accepted = 0
        for iteration in 0..<3000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 10..<headerEnd, using: &rng)
                bytes[at] = alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
            }
            do {
                _ = try NumPyArray(npyData: Data(bytes), fortranOrder: .convertToCOrder)
                accepted += 1
            } catch is NumPyFileError {
            } catch {
                XCTFail("#\(iteration): threw \(type(of: error)): \(error)")
            }
        }
        // Mutations in the padding keep the file valid; most others must be rejected.
        XCTAssertGreaterThan(accepted, 0)
        XCTAssertLessThan(accepted, 3000)
    }
}
