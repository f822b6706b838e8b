import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Pipes the message to `<path> -t -i`: the interface of Postfix, Exim and msmtp. Exit status 0
/// means accepted.
///
/// Spawned with swift-subprocess, not Foundation's `Process`: on Linux, `Process.run()` lists
/// `/proc/self/fd` to close inherited descriptors and can read past a directory entry and crash
/// when a busy server holds many open sockets (swift-corelibs-foundation #5472, still in 6.3.1);
/// swift-subprocess closes them with `posix_spawn`'s close-from action instead, and waits
/// without a blocked thread.
public struct SendmailTransport: MailTransport {
    public let path: String

    /// How much of the program's standard error a failure keeps; the rest is read and dropped.
    static let keptErrorBytes = 4096

    public init(path: String) {
        self.path = path
        _ = Self.ignoreBrokenPipes
    }

    public var description: String { "sendmail:\(path)" }

    /// A program that exits without reading its input would otherwise kill this whole process
    /// with SIGPIPE on the write; ignored, the write fails with EPIPE and the delivery is retried.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    public func deliver(_ message: String, messageID: String) async throws {
        let status: TerminationStatus, written: Bool, errors: [UInt8]
        do {
            let outcome = try await run(
                .path(FilePath(path)), arguments: ["-t", "-i"],
                input: .inputWriter, output: .discarded, error: .sequence
            ) { execution in
                // Standard error is read while the message is written, so that neither side waits
                // for the other with a full pipe.
                async let errors = Self.firstBytes(of: execution.standardError, limit: Self.keptErrorBytes)
                var written = true
                do {
                    _ = try await execution.standardInputWriter.write(Array(message.utf8))
                    try await execution.standardInputWriter.finish()
                } catch {
                    written = false  // it stopped reading (EPIPE); its exit status says why
                }
                return (written, (try? await errors) ?? [])
            }
            status = outcome.terminationStatus
            (written, errors) = outcome.closureResult
        } catch {
            throw MailTransportError.failed("cannot run \(path): \(error)")
        }
        guard status.isSuccess else {
            let detail = String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw MailTransportError.failed("\(path) \(Self.describe(status))\(detail.isEmpty ? "" : ": \(detail)")")
        }
        guard written else { throw MailTransportError.failed("\(path) exited before reading the whole message") }
    }

    private static func describe(_ status: TerminationStatus) -> String {
        switch status {
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal): return "was killed by signal \(signal)"
        }
    }

    /// Reads `sequence` to its end, keeping the first `limit` bytes.
    private static func firstBytes(of sequence: SubprocessOutputSequence, limit: Int) async throws -> [UInt8] {
        var kept: [UInt8] = []
        for try await buffer in sequence where kept.count < limit {
            buffer.withUnsafeBytes { kept.append(contentsOf: $0.prefix(limit - kept.count)) }
        }
        return kept
    }
}
