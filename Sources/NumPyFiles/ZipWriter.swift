import Foundation

/// Builds a zip archive in memory (PKWARE APPNOTE.TXT): for each member a local file header
/// and the data, then the central directory and the end records.
///
/// Sizes and CRC-32 are known before each header is written, so no data descriptors are used.
/// Zip64 structures are written when a size, an offset or the member count exceeds the
/// classic fields (or always, with `forceZip64`). Every member gets the DOS timestamp
/// 1980-01-01 00:00 so equal inputs give byte-identical archives. `ZipFileWriter` writes
/// the same bytes to a file as it goes.
struct ZipWriter {
    private(set) var archive = Data()
    private var records: ZipRecords

    init(forceZip64: Bool) {
        records = ZipRecords(forceZip64: forceZip64)
    }

    /// Appends a member. `deflateLevel` `nil` stores the bytes; 0...9 deflates them.
    ///
    /// - Throws: `NumPyFileError` with `.invalidName` (empty, longer than 65535 UTF-8 bytes),
    ///   `.duplicateName`, or `.compressionFailed`.
    mutating func addMember(name: String, contents: Data, deflateLevel: Int32?) throws {
        let nameBytes = try records.checkName(name)
        let crc = contents.withUnsafeBytes { ZlibCodec.crc32($0) }
        let payload = try deflateLevel.map { level in
            try contents.withUnsafeBytes { try ZlibCodec.deflateRaw($0, level: level) }
        } ?? contents
        let method = deflateLevel == nil ? ZipFormat.methodStored : ZipFormat.methodDeflate
        archive.append(records.member(nameBytes: nameBytes, method: method, crc: crc, size: contents.count,
                                      compressedSize: payload.count, offset: archive.count))
        archive.append(payload)
    }

    /// Appends the central directory and end records and returns the archive.
    mutating func finish() -> Data {
        archive.append(records.end(directoryOffset: archive.count))
        return archive
    }
}

/// The records of a zip archive around the members' data: local headers, the central
/// directory and the end records, shared by the in-memory and the streaming writer so
/// both write the same bytes.
struct ZipRecords {
    private var centralDirectory = Data()
    private var entryCount = 0
    private var names = Set<[UInt8]>()
    private let forceZip64: Bool

    init(forceZip64: Bool) {
        self.forceZip64 = forceZip64
    }

    /// The UTF-8 bytes of a new member's name.
    ///
    /// - Throws: `NumPyFileError` with `.invalidName` (empty, longer than 65535 UTF-8
    ///   bytes) or `.duplicateName`.
    mutating func checkName(_ name: String) throws -> [UInt8] {
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= Int(UInt16.max) else {
            throw NumPyFileError(member: name, problem: .invalidName(name, reason: "a zip member name must have 1 to 65535 UTF-8 bytes"))
        }
        guard names.insert(nameBytes).inserted else {
            throw NumPyFileError(problem: .duplicateName(name))
        }
        return nameBytes
    }

    /// The local header of a member whose data (`compressedSize` bytes, `size`
    /// uncompressed) follows it at archive offset `offset`; records its central directory
    /// entry.
    mutating func member(nameBytes: [UInt8], method: UInt16, crc: UInt32, size: Int, compressedSize: Int, offset: Int) -> Data {
        let limit32 = 0xFFFF_FFFF
        let zip64 = forceZip64 || size >= limit32 || compressedSize >= limit32 || offset >= limit32
        let versionNeeded: UInt16 = zip64 ? 45 : (method == ZipFormat.methodDeflate ? 20 : 10)
        let flags: UInt16 = nameBytes.allSatisfy({ $0 < 0x80 }) ? 0 : ZipFormat.flagUTF8

        // Local header; with zip64 its extra field holds both sizes (APPNOTE 4.5.3).
        var localExtra = Data()
        if zip64 {
            localExtra.appendLittleEndian(ZipFormat.zip64ExtraID)
            localExtra.appendLittleEndian(UInt16(16))
            localExtra.appendLittleEndian(UInt64(size))
            localExtra.appendLittleEndian(UInt64(compressedSize))
        }
        var local = Data()
        local.appendLittleEndian(ZipFormat.localHeaderSignature)
        local.appendLittleEndian(versionNeeded)
        local.appendLittleEndian(flags)
        local.appendLittleEndian(method)
        local.appendLittleEndian(UInt16(0))  // time 00:00:00
        local.appendLittleEndian(ZipFormat.fixedDOSDate)
        local.appendLittleEndian(crc)
        local.appendLittleEndian(zip64 ? UInt32.max : UInt32(compressedSize))
        local.appendLittleEndian(zip64 ? UInt32.max : UInt32(size))
        local.appendLittleEndian(UInt16(nameBytes.count))
        local.appendLittleEndian(UInt16(localExtra.count))
        local.append(contentsOf: nameBytes)
        local.append(localExtra)

        // Central directory entry; with zip64 all three saturated fields move to the extra.
        var centralExtra = Data()
        if zip64 {
            centralExtra.appendLittleEndian(ZipFormat.zip64ExtraID)
            centralExtra.appendLittleEndian(UInt16(24))
            centralExtra.appendLittleEndian(UInt64(size))
            centralExtra.appendLittleEndian(UInt64(compressedSize))
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
        centralDirectory.appendLittleEndian(zip64 ? UInt32.max : UInt32(compressedSize))
        centralDirectory.appendLittleEndian(zip64 ? UInt32.max : UInt32(size))
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
        return local
    }

    /// The central directory, starting at archive offset `directoryOffset`, and the end
    /// records.
    func end(directoryOffset: Int) -> Data {
        var archive = centralDirectory
        let directorySize = centralDirectory.count
        let needsZip64 = forceZip64 || entryCount >= 0xFFFF
            || directoryOffset >= 0xFFFF_FFFF || directorySize >= 0xFFFF_FFFF
        if needsZip64 {
            let recordOffset = directoryOffset + archive.count
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
