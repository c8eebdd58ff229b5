import Foundation

/// Reads the members of a zip archive held in memory (PKWARE APPNOTE.TXT): locates the end
/// of central directory record (and the zip64 record when present), walks the central
/// directory, and extracts stored or deflated members with their CRC-32 verified.
///
/// Every offset and length read from the archive is checked against the buffer before use;
/// failures are `NumPyFileError`s (`.malformedArchive`, `.unsupportedArchiveFeature`,
/// `.checksumMismatch`, `.compressionFailed`), never traps.
struct ZipReader {
    private let view: ByteView

    init(_ bytes: UnsafeRawBufferPointer) {
        view = ByteView(bytes: bytes)
    }

    private func malformed(_ reason: String) -> NumPyFileError {
        NumPyFileError(problem: .malformedArchive(reason: reason))
    }

    /// The central directory entries, in directory order. O(archive tail + directory size).
    func entries() throws -> [ZipEntry] {
        let directory = try locateCentralDirectory()
        var entries = [ZipEntry]()
        var position = directory.offset
        let end = directory.offset + directory.size
        for index in 0..<directory.entryCount {
            guard position <= end - ZipFormat.centralHeaderSize else {
                throw malformed("central directory entry \(index) lies outside the central directory")
            }
            entries.append(try centralEntry(at: &position, limit: end, index: index))
        }
        return entries
    }

    /// The uncompressed bytes of `entry`, CRC-32 checked. O(compressed + uncompressed size).
    func contents(of entry: ZipEntry) throws -> Data {
        guard entry.flags & ZipFormat.flagEncrypted == 0 else {
            throw NumPyFileError(problem: .unsupportedArchiveFeature(reason: "the member is encrypted"))
        }
        let start = entry.localHeaderOffset
        try view.require(start, ZipFormat.localHeaderSize, "local file header")  // also bounds start + 30
        guard try view.uint32(start, "local file header") == ZipFormat.localHeaderSignature else {
            throw malformed("no local file header signature at offset \(start)")
        }
        let nameLength = Int(try view.uint16(start + 26, "local file header"))
        let extraLength = Int(try view.uint16(start + 28, "local file header"))
        let localName = try view.slice(start + ZipFormat.localHeaderSize, nameLength, "local file name")
        guard localName.elementsEqual(entry.nameBytes) else {
            throw malformed("the local header names '\(String(decoding: localName, as: UTF8.self))', the central directory '\(entry.name)'")
        }
        let dataStart = start + ZipFormat.localHeaderSize + nameLength + extraLength
        let payload = try view.slice(dataStart, entry.compressedSize, "member data")
        let data: Data
        switch entry.method {
        case ZipFormat.methodStored:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw malformed("stored member with compressed size \(entry.compressedSize) != size \(entry.uncompressedSize)")
            }
            data = Data(payload)
        case ZipFormat.methodDeflate:
            let (bound, overflow) = entry.compressedSize.multipliedReportingOverflow(by: ZipFormat.maximumDeflateRatio)
            guard overflow || entry.uncompressedSize - 1024 <= bound else {
                throw malformed("declared size \(entry.uncompressedSize) is impossible for \(entry.compressedSize) deflated bytes")
            }
            data = try ZlibCodec.inflateRaw(payload, expectedSize: entry.uncompressedSize)
        default:
            throw NumPyFileError(problem: .unsupportedArchiveFeature(
                reason: "compression \(ZipFormat.methodName(entry.method)) (only stored and deflate are supported)"))
        }
        let crc = data.withUnsafeBytes { ZlibCodec.crc32($0) }
        guard crc == entry.crc32 else {
            throw NumPyFileError(problem: .checksumMismatch(expected: entry.crc32, actual: crc))
        }
        return data
    }

    /// Finds the EOCD (the last signature whose comment length reaches exactly the end of the
    /// data) and, through the zip64 locator if present, the zip64 EOCD.
    private func locateCentralDirectory() throws -> (offset: Int, size: Int, entryCount: Int) {
        guard view.count >= ZipFormat.endOfCentralDirectorySize else {
            throw malformed("\(view.count) bytes is too short for a zip archive")
        }
        let lowest = max(0, view.count - ZipFormat.endOfCentralDirectorySize - ZipFormat.maximumCommentLength)
        var eocd: Int? = nil
        var candidate = view.count - ZipFormat.endOfCentralDirectorySize
        while candidate >= lowest {
            if try view.uint32(candidate, "EOCD") == ZipFormat.endOfCentralDirectorySignature,
               candidate + ZipFormat.endOfCentralDirectorySize + Int(try view.uint16(candidate + 20, "EOCD")) == view.count {
                eocd = candidate
                break
            }
            candidate -= 1
        }
        guard let eocd else {
            throw malformed("no end of central directory record (not a zip file, or truncated)")
        }
        var disk = Int(try view.uint16(eocd + 4, "EOCD"))
        var directoryDisk = Int(try view.uint16(eocd + 6, "EOCD"))
        var entryCount = Int(try view.uint16(eocd + 10, "EOCD"))
        var size = Int(try view.uint32(eocd + 12, "EOCD"))
        var offset = Int(try view.uint32(eocd + 16, "EOCD"))
        var directoryLimit = eocd

        let locator = eocd - ZipFormat.zip64LocatorSize
        if locator >= 0, try view.uint32(locator, "zip64 locator") == ZipFormat.zip64LocatorSignature {
            let record = try view.offset64(locator + 8, "zip64 EOCD offset")
            guard try view.uint32(locator + 16, "zip64 locator") <= 1 else {
                throw NumPyFileError(problem: .unsupportedArchiveFeature(reason: "multi-disk archives"))
            }
            try view.require(record, ZipFormat.zip64EndOfCentralDirectorySize, "zip64 EOCD record")
            guard record <= locator,
                  try view.uint32(record, "zip64 EOCD") == ZipFormat.zip64EndOfCentralDirectorySignature else {
                throw malformed("the zip64 locator does not point at a zip64 end of central directory record")
            }
            disk = Int(try view.uint32(record + 16, "zip64 EOCD"))
            directoryDisk = Int(try view.uint32(record + 20, "zip64 EOCD"))
            entryCount = try view.offset64(record + 32, "zip64 entry count")
            size = try view.offset64(record + 40, "zip64 central directory size")
            offset = try view.offset64(record + 48, "zip64 central directory offset")
            directoryLimit = record
        }
        guard disk == 0, directoryDisk == 0 else {
            throw NumPyFileError(problem: .unsupportedArchiveFeature(reason: "multi-disk archives"))
        }
        guard offset <= directoryLimit, size <= directoryLimit - offset else {
            throw malformed("the central directory (offset \(offset), \(size) bytes) overlaps its end record or lies beyond the data")
        }
        guard entryCount <= size / ZipFormat.centralHeaderSize else {
            throw malformed("\(entryCount) entries cannot fit in a \(size)-byte central directory")
        }
        return (offset, size, entryCount)
    }

    /// Parses the central directory entry at `position` and advances past it.
    private func centralEntry(at position: inout Int, limit: Int, index: Int) throws -> ZipEntry {
        let p = position
        let what = "central directory entry \(index)"
        guard try view.uint32(p, what) == ZipFormat.centralHeaderSignature else {
            throw malformed("\(what) has no central file header signature")
        }
        let flags = try view.uint16(p + 8, what)
        let method = try view.uint16(p + 10, what)
        let crc = try view.uint32(p + 16, what)
        var compressedSize = Int(try view.uint32(p + 20, what))
        var uncompressedSize = Int(try view.uint32(p + 24, what))
        let nameLength = Int(try view.uint16(p + 28, what))
        let extraLength = Int(try view.uint16(p + 30, what))
        let commentLength = Int(try view.uint16(p + 32, what))
        var diskStart = Int(try view.uint16(p + 34, what))
        var localOffset = Int(try view.uint32(p + 42, what))
        let total = ZipFormat.centralHeaderSize + nameLength + extraLength + commentLength
        guard total <= limit - p else {
            throw malformed("\(what) extends past the end of the central directory")
        }
        let nameBytes = Array(try view.slice(p + ZipFormat.centralHeaderSize, nameLength, what))
        let name = String(bytes: nameBytes, encoding: .utf8)
            ?? String(String.UnicodeScalarView(nameBytes.map { Unicode.Scalar($0) }))

        // Zip64 extra: the saturated fields, in this order, as 64-bit values (APPNOTE 4.5.3).
        var extra = p + ZipFormat.centralHeaderSize + nameLength
        let extraEnd = extra + extraLength
        while extra + 4 <= extraEnd {
            let id = try view.uint16(extra, what)
            let length = Int(try view.uint16(extra + 2, what))
            guard length <= extraEnd - (extra + 4) else {
                throw malformed("\(what) has an extra field running past its extra data")
            }
            if id == ZipFormat.zip64ExtraID {
                var field = extra + 4
                let fieldEnd = field + length
                func next(_ label: String) throws -> Int {
                    guard field + 8 <= fieldEnd else {
                        throw malformed("\(what): the zip64 extra field lacks the \(label)")
                    }
                    defer { field += 8 }
                    return try view.offset64(field, "\(what) zip64 \(label)")
                }
                if uncompressedSize == 0xFFFF_FFFF { uncompressedSize = try next("uncompressed size") }
                if compressedSize == 0xFFFF_FFFF { compressedSize = try next("compressed size") }
                if localOffset == 0xFFFF_FFFF { localOffset = try next("local header offset") }
                if diskStart == 0xFFFF, field + 4 <= fieldEnd {
                    diskStart = Int(try view.uint32(field, what))
                }
            }
            extra += 4 + length
        }
        guard diskStart == 0 else {
            throw NumPyFileError(problem: .unsupportedArchiveFeature(reason: "multi-disk archives"))
        }
        position = p + total
        return ZipEntry(nameBytes: nameBytes, name: name, flags: flags, method: method, crc32: crc,
                        compressedSize: compressedSize, uncompressedSize: uncompressedSize,
                        localHeaderOffset: localOffset)
    }
}
