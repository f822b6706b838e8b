import Dispatch
import Foundation

/// Order-preserving map over all cores, for CPU-bound work on independent files.
public enum ParallelMap {
    /// `threadsPerCore` above 1 suits work that waits on the file system (creating files and
    /// folders), where more requests in flight finish sooner.
    public static func map<Element: Sendable, Result: Sendable>(
        _ elements: [Element], threadsPerCore: Int = 1, _ transform: @escaping @Sendable (Element) -> Result
    ) -> [Result] {
        guard elements.count > 1 else { return elements.map(transform) }
        let slots = ResultSlots<Result>(count: elements.count)
        let workers = min(elements.count, max(1, ProcessInfo.processInfo.activeProcessorCount * threadsPerCore))
        let next = WorkCounter()
        // Small batches from a shared counter keep every thread busy to the end; a handful of
        // elements (two halves of a file, two files) go one at a time, or the first thread to
        // start would take them all.
        let batch = max(1, min(8, elements.count / (workers * 4)))
        // Plain threads rather than Dispatch, whose pool would not run more threads than cores.
        for _ in 0..<workers {
            let thread = Thread {
                while let range = next.take(batch, limit: elements.count) {
                    for index in range { slots.set(index, transform(elements[index])) }
                }
                next.finish()
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        next.waitForFinish(count: workers)
        return slots.values()
    }
}

/// Hands out consecutive index ranges to worker threads.
private final class WorkCounter: @unchecked Sendable {
    private let lock = NSCondition()
    private var next = 0
    private var finished = 0

    func finish() {
        lock.lock()
        finished += 1
        lock.broadcast()
        lock.unlock()
    }

    func waitForFinish(count: Int) {
        lock.lock()
        while finished < count { lock.wait() }
        lock.unlock()
    }

    func take(_ count: Int, limit: Int) -> Range<Int>? {
        lock.lock()
        defer { lock.unlock() }
        guard next < limit else { return nil }
        let range = next..<min(next + count, limit)
        next = range.upperBound
        return range
    }
}

/// Preallocated result storage written by disjoint indices from several threads.
private final class ResultSlots<Result>: @unchecked Sendable {
    private var storage: [Result?]
    private let lock = NSLock()

    init(count: Int) {
        storage = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ value: Result) {
        lock.lock()
        storage[index] = value
        lock.unlock()
    }

    func values() -> [Result] {
        lock.lock()
        defer { lock.unlock() }
        return storage.compactMap { $0 }  // every index was set by exactly one worker
    }
}
