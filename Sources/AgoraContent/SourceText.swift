import Foundation

/// Reading a content file's bytes as text, with the encoding problems reported as issues.
enum SourceText {
    /// Decodes UTF-8 (a leading BOM is dropped, CRLF becomes LF) or reports the line of the first
    /// invalid byte.
    static func decode(_ data: Data, file: String, log: inout IssueLog) -> String? {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        // The standard library validates quickly; the slow scan runs only to name a bad file's line.
        if String(validating: bytes, as: UTF8.self) == nil, let invalidOffset = firstInvalidUTF8Offset(bytes) {
            let line = 1 + bytes[..<invalidOffset].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            log.add(file, line, "encoding", "invalid UTF-8 at byte \(invalidOffset + 1); save the file as UTF-8")
            return nil
        }
        if bytes.contains(0x0D) {
            var unixLines: [UInt8] = []
            unixLines.reserveCapacity(bytes.count)
            for (index, byte) in bytes.enumerated() where !(byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A) {
                unixLines.append(byte)
            }
            bytes = unixLines
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error(let length):
                _ = length
                return offset
            }
        }
    }
}
