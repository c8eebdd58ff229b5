import Foundation
import NumPyFiles

/// Reading one member of a zip archive such as a Python wheel.
enum WheelArchive {
    /// The bytes of `name` inside the archive at `path`.
    ///
    /// - Throws: ``DatasetError/corruptFile(path:location:problem:)`` naming the archive.
    static func member(_ name: String, ofArchiveAt path: String) throws -> [UInt8] {
        do {
            return [UInt8](try ZipMembers.contents(of: name, inArchiveAt: URL(fileURLWithPath: path)))
        } catch let error as NumPyFileError {
            throw DatasetError.corruptFile(path: path, location: "member \(name)", problem: "\(error.problem)")
        }
    }
}
