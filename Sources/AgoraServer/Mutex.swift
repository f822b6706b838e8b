import Foundation

/// A value behind a lock, for the few pieces of shared state (the catalog in force, rendered
/// page parts). `Synchronization.Mutex` needs newer platforms than this package targets.
final class Mutex<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
