import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Password hashing (SPEC §6.1, §6.11): bcrypt at cost 10 over a SHA-256 of the password, so
/// every byte counts (bcrypt alone reads only the first 72), on threads of its own so that a
/// burst of logins cannot stall the threads that answer requests.
public enum Passwords {
    /// bcrypt's work factor: at least 10 (SPEC §6.1).
    public static let cost: UInt8 = 10
    /// Marks hashes of the pre-hashed form; older hashes are plain bcrypt and are upgraded at
    /// the next successful login.
    static let prefix = "sha256-bcrypt$"

    /// One thread fewer than the machine has cores (at least one): hashing may keep that many
    /// busy, and the rest stays free for requests.
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(1, ProcessInfo.processInfo.activeProcessorCount - 1))
        pool.start()
        return pool
    }()

    public static func hash(_ password: String) async throws -> String {
        try await onHashingThreads { hashNow(password) }
    }

    public static func verify(_ password: String, hash: String) async throws -> Bool {
        try await onHashingThreads { verifyNow(password, hash: hash) }
    }

    /// Runs `work` on the hashing threads, never on the caller's.
    static func onHashingThreads<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
        try await pool.runIfActive(work)
    }

    /// Whether a stored hash predates the pre-hashed form.
    public static func needsUpgrade(_ hash: String) -> Bool { !hash.hasPrefix(prefix) }

    static func hashNow(_ password: String) -> String {
        prefix + Bcrypt.hash(prehash(password), cost: cost)
    }

    static func verifyNow(_ password: String, hash: String) -> Bool {
        if hash.hasPrefix(prefix) {
            return (try? Bcrypt.verify(prehash(password), hash: String(hash.dropFirst(prefix.count)))) ?? false
        }
        return (try? Bcrypt.verify(password, hash: hash)) ?? false
    }

    /// 44 base64 characters: under bcrypt's 72 bytes and free of NUL, which would end it early.
    private static func prehash(_ password: String) -> String {
        Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }

    /// A hash of nothing anyone knows, checked for unknown usernames so that they take as long
    /// as a wrong password.
    static let decoy = hashNow("agora decoy password")
}
