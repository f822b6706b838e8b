import Foundation

/// Seconds since 1970, injectable so tests can move time instead of sleeping.
public protocol StoreClock: Sendable {
    func now() -> Int64
}

public struct SystemClock: StoreClock {
    public init() {}

    public func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
