import NIOPosix

/// Work that blocks a thread — a process to wait for, a file to write and sync — run on threads
/// kept for it, so that the threads answering requests never wait on it.
public enum BlockingWork {
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        return pool
    }()

    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(work)
    }
}
