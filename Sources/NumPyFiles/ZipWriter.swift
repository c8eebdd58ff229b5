import Foundation

/// Builds a zip archive in memory (PKWARE APPNOTE.TXT): for each member a local file header
/// and the data, then the central directory and the end records.
///
/// Sizes and CRC-32 are known before each header is written, so no data descriptors are used.
/// Zip64 structures are written when a size, an offset or the member count exceeds the
/// classic fields (or always, with `forceZip64`). Every member gets the DOS timestamp
/// 1980-01-01 00:00 so equal inputs give byte-identical archives.
struct ZipWriter {
    private(set) var archive = Data()
    private var centralDirectory = Data()
    private var entryCount = 0
    private var names = Set<[UInt8]>()
    private let forceZip64: Bool

    init(forceZip64: Bool) {
        self.forceZip64 = forceZip64
    }

    /// Appends a member. `deflateLevel` `nil` stores the bytes; 0...9 deflates them.
    ///
    /// - Throws: `NumPyFileError` with `.invalidName` (empty, longer than 65535 UTF-8 bytes),
    ///   `.duplicateName`, or `.compressionFailed`.
    mutating func addMember(name: String, contents: Data, deflateLevel: Int32?) throws {
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= Int(UInt16.max) else {
            throw NumPyFileError(member: name, problem: .invalidName(name, reason: "a zip member name must have 1 to 65535 UTF-8 bytes"))
        }
        guard names.insert(nameBytes).inserted else {
            throw NumPyFileError(problem: .duplicateName(name))
        }
        let crc = contents.withUnsafeBytes { ZlibCodec.crc32($0) }
        let payload = try deflateLevel.map { level in
            try contents.withUnsafeBytes { try ZlibCodec.deflateRaw($0, level: level) }
        } ?? contents
        let method = deflateLevel == nil ? ZipFormat.methodStored : ZipFormat.methodDeflate
        let offset = archive.count
        let limit32 = 0xFFFF_FFFF
        let zip64 = forceZip64 || contents.count >= limit32 || payload.count >= limit32 || offset >= limit32
        let versionNeeded: UInt16 = zip64 ? 45 : (method == ZipFormat.methodDeflate ? 20 : 10)
        let flags: UInt16 = nameBytes.allSatisfy({ $0 < 0x80 }) ? 0 : ZipFormat.flagUTF8

        // Local header; with zip64 its extra field holds both sizes (APPNOTE 4.5.3).
        var localExtra = Data()
        if zip64 {
            localExtra.appendLittleEndian(ZipFormat.zip64ExtraID)
            localExtra.appendLittleEndian(UInt16(16))
            localExtra.appendLittleEndian(UInt64(contents.count))
            localExtra.appendLittleEndian(UInt64(payload.count))
        }
        archive.appendLittleEndian(ZipFormat.localHeaderSignature)
        archive.appendLittleEndian(versionNeeded)
        archive.appendLittleEndian(flags)
        archive.appendLittleEndian(method)
        archive.appendLittleEndian(UInt16(0))  // time 00:00:00
        archive.appendLittleEndian(ZipFormat.fixedDOSDate)
        archive.appendLittleEndian(crc)
        archive.appendLittleEndian(zip64 ? UInt32.max : UInt32(payload.count))
        archive.appendLittleEndian(zip64 ? UInt32.max : UInt32(contents.count))
        archive.appendLittleEndian(UInt16(nameBytes.count))
        archive.appendLittleEndian(UInt16(localExtra.count))
        archive.append(contentsOf: nameBytes)
        archive.append(localExtra)
        archive.append(payload)

        // Central directory entry; with zip64 all three saturated fields move to the extra.
        var centralExtra = Data()
        if zip64 {
            centralExtra.appendLittleEndian(ZipFormat.zip64ExtraID)
            centralExtra.appendLittleEndian(UInt16(24))
            centralExtra.appendLittleEndian(UInt64(contents.count))
            centralExtra.appendLittleEndian(UInt64(payload.count))
            centralExtra.appendLittleEndian(UInt64(offset))
        }
        centralDirectory.appendLittleEndian(ZipFormat.centralHeaderSignature)
        centralDirectory.appendLittleEndian(UInt16(0x0300 | 45))  // made by: UNIX, spec 4.5
        centralDirectory.appendLittleEndian(versionNeeded)
        centralDirectory.appendLittleEndian(flags)
        centralDirectory.appendLittleEndian(method)
        centralDirectory.appendLittleEndian(UInt16(0))
        centralDirectory.appendLittleEndian(ZipFormat.fixedDOSDate)
        centralDirectory.appendLittleEndian(crc)
        centralDirectory.appendLittleEndian(zip64 ? UInt32.max : UInt32(payload.count))
        centralDirectory.appendLittleEndian(zip64 ? UInt32.max : UInt32(contents.count))
        centralDirectory.appendLittleEndian(UInt16(nameBytes.count))
        centralDirectory.appendLittleEndian(UInt16(centralExtra.count))
        centralDirectory.appendLittleEndian(UInt16(0))  // comment length
        centralDirectory.appendLittleEndian(UInt16(0))  // disk number start
        centralDirectory.appendLittleEndian(UInt16(0))  // internal attributes
        centralDirectory.appendLittleEndian(UInt32(0o100644) << 16)  // regular file, rw-r--r--
        centralDirectory.appendLittleEndian(zip64 ? UInt32.max : UInt32(offset))
        centralDirectory.append(contentsOf: nameBytes)
        centralDirectory.append(centralExtra)
        entryCount += 1
    }

    /// Appends the central directory and end records and returns the archive.
    mutating func finish() -> Data {
        let directoryOffset = archive.count
        let directorySize = centralDirectory.count
        archive.append(centralDirectory)
        let needsZip64 = forceZip64 || entryCount >= 0xFFFF
            || directoryOffset >= 0xFFFF_FFFF || directorySize >= 0xFFFF_FFFF
        if needsZip64 {
            let recordOffset = archive.count
            archive.appendLittleEndian(ZipFormat.zip64EndOfCentralDirectorySignature)
            archive.appendLittleEndian(UInt64(ZipFormat.zip64EndOfCentralDirectorySize - 12))
            archive.appendLittleEndian(UInt16(0x0300 | 45))
            archive.appendLittleEndian(UInt16(45))
            archive.appendLittleEndian(UInt32(0))  // this disk
            archive.appendLittleEndian(UInt32(0))  // disk with the central directory
            archive.appendLittleEndian(UInt64(entryCount))
            archive.appendLittleEndian(UInt64(entryCount))
            archive.appendLittleEndian(UInt64(directorySize))
            archive.appendLittleEndian(UInt64(directoryOffset))
            archive.appendLittleEndian(ZipFormat.zip64LocatorSignature)
            archive.appendLittleEndian(UInt32(0))
            archive.appendLittleEndian(UInt64(recordOffset))
            archive.appendLittleEndian(UInt32(1))  // total disks
        }
        archive.appendLittleEndian(ZipFormat.endOfCentralDirectorySignature)
        archive.appendLittleEndian(UInt16(0))
        archive.appendLittleEndian(UInt16(0))
        archive.appendLittleEndian(UInt16(min(entryCount, 0xFFFF)))
        archive.appendLittleEndian(UInt16(min(entryCount, 0xFFFF)))
        archive.appendLittleEndian(UInt32(min(directorySize, 0xFFFF_FFFF)))
        archive.appendLittleEndian(UInt32(min(directoryOffset, 0xFFFF_FFFF)))
        archive.appendLittleEndian(UInt16(0))  // comment length
        return archive
    }
}
