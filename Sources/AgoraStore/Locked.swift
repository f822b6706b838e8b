import Foundation

/// A value behind a lock, for the few pieces of shared state (the catalog in force, cookies
/// decided during a request, the view counter's queue). `Synchronization.Mutex` needs newer
/// platforms than this package targets.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
