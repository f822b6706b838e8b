import Foundation

/// With `AGORA_TIMINGS=1` in the environment, `agora build` prints how long each phase took, on
/// stderr: where a slow build spends its time, without a profiler.
struct PhaseTimer {
    private let enabled = ProcessInfo.processInfo.environment["AGORA_TIMINGS"] == "1"
    private var last = Date()

    mutating func mark(_ phase: String) {
        guard enabled else { return }
        let now = Date()
        let line = "timing: " + phase.padding(toLength: 18, withPad: " ", startingAt: 0)
            + String(format: "%7.3f s\n", now.timeIntervalSince(last))
        FileHandle.standardError.write(Data(line.utf8))
        last = now
    }
}
