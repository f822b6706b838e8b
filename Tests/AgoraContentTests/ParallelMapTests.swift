import Foundation
import Testing
@testable import AgoraContent

@Suite struct ParallelMapTests {
    /// Two elements run on two threads at once: each waits for the other to have started, which
    /// a single thread taking both in turn would never see (it gives up after 10 s instead of hanging).
    @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount > 1))
    func twoElementsRunSideBySide() {
        let started = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        let results = ParallelMap.map([0, 1]) { index -> Bool in
            started[index].signal()
            return started[1 - index].wait(timeout: .now() + 10) == .success
        }
        #expect(results == [true, true])
    }

    @Test func resultsKeepTheOrderOfTheElements() {
        for count in [0, 1, 2, 3, 7, 8, 9, 64, 1000] {
            #expect(ParallelMap.map(Array(0..<count)) { $0 * 3 } == (0..<count).map { $0 * 3 })
        }
    }
}
