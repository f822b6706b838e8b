import Foundation

/// What an SQLite database's write-ahead log holds, read from its shared-memory index (`-shm`)
/// without opening a connection, which could itself checkpoint: the frames in the log
/// (`mxFrame`) and how many of them a checkpoint has copied into the database file (`nBackfill`).
/// The index is in the machine's own byte order (https://sqlite.org/walformat.html).
public struct WALIndex: Equatable, Sendable {
    public let logFrames: Int
    public let copiedFrames: Int

    public init(databasePath: String) throws {
        let index = try Data(contentsOf: URL(fileURLWithPath: databasePath + "-shm"))
        guard index.count >= 100 else { throw CocoaError(.fileReadCorruptFile) }
        func field(_ offset: Int) -> Int {
            Int(index.subdata(in: offset..<offset + 4).withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })
        }
        logFrames = field(16)      // WalIndexHdr.mxFrame, first copy of the header
        copiedFrames = field(96)   // WalCkptInfo.nBackfill, after the header's two copies
    }
}
