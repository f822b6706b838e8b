import Foundation

/// With `AGORA_TIMINGS=1` in the environment, `agora build` prints how long each phase took and
/// the memory the process holds after it (resident now, and the peak so far), on stderr: where a
/// slow or large build spends its time and its memory, without a profiler.
struct PhaseTimer {
    private let enabled = ProcessInfo.processInfo.environment["AGORA_TIMINGS"] == "1"
    private var last = Date()

    mutating func mark(_ phase: String) {
        guard enabled else { return }
        let now = Date()
        var line = "timing: " + phase.padding(toLength: 18, withPad: " ", startingAt: 0)
            + String(format: "%7.3f s", now.timeIntervalSince(last))
        if let memory = Self.memory() { line += "   resident \(memory.resident) MB, peak \(memory.peak) MB" }
        FileHandle.standardError.write(Data((line + "\n").utf8))
        last = now
    }

    /// VmRSS and VmHWM from /proc/self/status, in MB (Linux only).
    private static func memory() -> (resident: Int, peak: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
            return line.split(separator: " ").compactMap { Int($0) }.first.map { $0 / 1024 }
        }
        guard let resident = field("VmRSS"), let peak = field("VmHWM") else { return nil }
        return (resident, peak)
    }
}
