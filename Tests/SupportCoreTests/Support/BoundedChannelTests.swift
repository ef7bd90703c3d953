import Foundation
import Testing
@testable import SupportCore

/// The queue between an import's threads: what it holds is bounded by weight, one batch always
/// goes in, and closing it releases a waiting producer.
@Suite("BoundedChannel")
struct BoundedChannelTests {
    /// Runs `put` on another thread; the semaphore is signalled when it has returned.
    static func putInBackground(_ channel: BoundedChannel<[Int]>, _ batch: [Int], result: ResultBox) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        Thread {
            result.value = channel.put(batch)
            done.signal()
        }.start()
        return done
    }

    final class ResultBox: @unchecked Sendable {
        var value: Bool?
    }

    @Test func aProducerWaitsWhileTheWeightWouldPassTheCapacity() {
        // Given a channel of capacity 10 weighed by batch length, holding a batch of 6
        let channel = BoundedChannel<[Int]>(capacity: 10, weight: \.count)
        #expect(channel.put(Array(repeating: 1, count: 6)))
        // When another batch of 6 is put from another thread
        let result = ResultBox()
        let done = Self.putInBackground(channel, Array(repeating: 2, count: 6), result: result)
        // Then it waits while the first is there (6 + 6 > 10)...
        #expect(done.wait(timeout: .now() + 0.2) == .timedOut)
        // ...and goes in once the first is taken, in order
        #expect(channel.next() == Array(repeating: 1, count: 6))
        done.wait()
        #expect(result.value == true)
        channel.finish()
        #expect(channel.next() == Array(repeating: 2, count: 6))
        #expect(channel.next() == nil)
    }

    @Test func aBatchHeavierThanTheCapacityGoesInAlone() {
        // Given an empty channel of capacity 10
        let channel = BoundedChannel<[Int]>(capacity: 10, weight: \.count)
        // When a batch of 25 is put, then a light one from another thread
        #expect(channel.put(Array(repeating: 0, count: 25)))
        let result = ResultBox()
        let done = Self.putInBackground(channel, [7], result: result)
        // Then the heavy one went in, and the light one waits until it is taken
        #expect(done.wait(timeout: .now() + 0.2) == .timedOut)
        #expect(channel.next()?.count == 25)
        done.wait()
        #expect(result.value == true)
    }

    @Test func closingReleasesAWaitingProducerWithFalse() {
        // Given a full channel and a producer waiting for room
        let channel = BoundedChannel<[Int]>(capacity: 2)
        #expect(channel.put([1]) && channel.put([2]))
        let result = ResultBox()
        let done = Self.putInBackground(channel, [3], result: result)
        #expect(done.wait(timeout: .now() + 0.2) == .timedOut)
        // When the consumer closes it
        channel.close()
        // Then the producer is told its batch was dropped, and nothing is left
        done.wait()
        #expect(result.value == false)
        channel.finish()
        #expect(channel.next() == nil)
    }
}
