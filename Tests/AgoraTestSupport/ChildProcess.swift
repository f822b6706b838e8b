import Foundation

/// A program a test starts: `posix_spawn` with the descriptors closed from 3 up, an empty signal
/// mask and default signal actions, waited for with `waitpid`.
///
/// Not Foundation's `Process`: on Linux its `run()` lists `/proc/self/fd` to close inherited
/// descriptors and can read past a directory entry and crash when the test process holds many
/// open files (swift-corelibs-foundation #5472, still in 6.3.1), and its pipe reads end in a
/// `try!` that an EINTR turns into a crash. A child spawned from a thread that blocks SIGTERM
/// would also inherit that mask; here it starts with none blocked.
public final class ChildProcess: @unchecked Sendable {
    /// Where one of the child's standard streams goes.
    public enum Stream {
        case null
        /// A pipe whose reading end this value keeps (`readLine`, `readToEnd`).
        case pipe
        /// A file, created or truncated.
        case file(String)
        /// The same place as the child's standard output.
        case output
    }

    public let pid: pid_t
    /// The reading end of the child's standard output when it is `.pipe`.
    private let outputReader: Int32?
    private var buffered: [UInt8] = []
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `executable` with `arguments`, in `directory` if given, with `environment` added to
    /// this process's; `input` is handed over as a file, so it can be of any size.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                directory: String? = nil, input: Data? = nil, output: Stream = .null, error: Stream = .null) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        var inputFile: String?
        if let input {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("agora-stdin-\(UUID().uuidString)").path
            guard FileManager.default.createFile(atPath: file, contents: input) else { throw ChildProcessError.cannotSpawn(executable, EIO) }
            inputFile = file
        }
        defer { if let inputFile { unlink(inputFile) } }  // the child opened it during the spawn
        posix_spawn_file_actions_addopen(&actions, 0, inputFile ?? "/dev/null", O_RDONLY, 0)

        var pipeEnds: [Int32] = [-1, -1]
        if case .pipe = output {
            guard pipe(&pipeEnds) == 0 else { throw ChildProcessError.cannotSpawn(executable, errno) }
            for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }  // pipe2 is not in Glibc's module
        }
        for (stream, descriptor) in [(output, Int32(1)), (error, Int32(2))] {
            switch stream {
            case .null: posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_WRONLY, 0)
            case .file(let path): posix_spawn_file_actions_addopen(&actions, descriptor, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            case .pipe: posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], descriptor)
            case .output: posix_spawn_file_actions_adddup2(&actions, 1, descriptor)
            }
        }
        _ = Self.addCloseFrom?(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)  // SIGPIPE ignored here is not ignored there
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        // A working folder through the shell: `posix_spawn_file_actions_addchdir_np` is not in Glibc's module either.
        let command = directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0, executable] + arguments }
            ?? [executable] + arguments
        let variables = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }.map { "\($0.key)=\($0.value)" }
        var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, command[0], &actions, &attributes, &argv, &envp)
        if pipeEnds[1] >= 0 { close(pipeEnds[1]) }
        guard result == 0 else {
            if pipeEnds[0] >= 0 { close(pipeEnds[0]) }
            throw ChildProcessError.cannotSpawn(executable, result)
        }
        self.pid = pid
        outputReader = pipeEnds[0] >= 0 ? pipeEnds[0] : nil
    }

    deinit {
        if let outputReader { close(outputReader) }
    }

    /// Runs a program to its end and returns its exit status and what it wrote; output and errors
    /// go to files, so neither can fill a pipe while the other is read.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                           directory: String? = nil, input: Data? = nil) throws -> (status: Int32, output: String, error: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("agora-child-\(UUID().uuidString)").path
        defer { unlink(base + ".out"); unlink(base + ".err") }
        let child = try ChildProcess(executable, arguments, environment: environment, directory: directory, input: input,
                                     output: .file(base + ".out"), error: .file(base + ".err"))
        let status = child.wait()
        let output = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let error = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        return (status, output, error)
    }

    /// The exit status (128 + the signal's number for a child killed by one), waiting for it.
    @discardableResult
    public func wait() -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { exitStatus = -1; return -1 }
        }
        exitStatus = Self.decode(status)
        return exitStatus ?? -1
    }

    /// Whether the child still runs; a child that has ended is reaped.
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if exitStatus != nil { return false }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { exitStatus = Self.decode(status) }
        return result == 0
    }

    public func signal(_ number: Int32) {
        if isRunning { kill(pid, number) }
    }

    /// SIGTERM, then waits.
    public func terminate() {
        signal(SIGTERM)
        wait()
    }

    /// The next line of standard output without its newline, or nil at its end.
    public func readLine() -> String? {
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffered[..<newline], as: UTF8.self)
                buffered.removeSubrange(...newline)
                return line
            }
            guard fill() else {
                if buffered.isEmpty { return nil }
                defer { buffered.removeAll() }
                return String(decoding: buffered, as: UTF8.self)
            }
        }
    }

    /// The rest of standard output.
    public func readToEnd() -> Data {
        while fill() {}
        defer { buffered.removeAll() }
        return Data(buffered)
    }

    /// Reads more of standard output into the buffer; false at its end.
    private func fill() -> Bool {
        guard let outputReader else { return false }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(outputReader, $0.baseAddress, $0.count) }
            if count > 0 { buffered.append(contentsOf: chunk[..<count]); return true }
            if count == -1, errno == EINTR { continue }
            return false
        }
    }

    private static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34) is not in Swift's Glibc module.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()
}

public enum ChildProcessError: Error, CustomStringConvertible {
    case cannotSpawn(String, Int32)

    public var description: String {
        switch self {
        case .cannotSpawn(let executable, let code): return "cannot start \(executable): \(String(cString: strerror(code)))"
        }
    }
}
