import Dispatch
import Foundation

/// Order-preserving map over all cores, for CPU-bound work on independent files.
public enum ParallelMap {
    public static func map<Element: Sendable, Result: Sendable>(
        _ elements: [Element], _ transform: @Sendable (Element) -> Result
    ) -> [Result] {
        guard elements.count > 1 else { return elements.map(transform) }
        let slots = ResultSlots<Result>(count: elements.count)
        let workers = min(elements.count, max(1, ProcessInfo.processInfo.activeProcessorCount))
        let chunk = (elements.count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = worker * chunk
            let end = min(start + chunk, elements.count)
            guard start < end else { return }
            for index in start..<end { slots.set(index, transform(elements[index])) }
        }
        return slots.values()
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
