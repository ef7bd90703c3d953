// Base64 for `ticket export`: the desk's `Base64.Encoder` (Foundation's encoder on the
// 3-byte-aligned part of each piece) against the hand-written encoder it replaced, on 100 MiB
// of random bytes handed over in 1 MiB pieces, as the export reads a blob. Medians of 5 runs.
//
//   swiftc -O -parse-as-library Sources/SupportCore/Support/Base64.swift scripts/bench/base64.swift -o /tmp/base64-bench
//   /tmp/base64-bench
import Foundation

/// The encoder `Support/Base64.swift` had before (issue 12): a table lookup per output byte,
/// appended one byte at a time. Kept here only to measure it.
struct HandWrittenEncoder {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var carry: [UInt8] = []

    mutating func append(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        var index = 0
        if !carry.isEmpty {
            while carry.count < 3 && index < bytes.count {
                carry.append(bytes[index])
                index += 1
            }
            guard carry.count == 3 else { return }
            Self.group(carry[0], carry[1], carry[2], count: 3, to: &out)
            carry.removeAll(keepingCapacity: true)
        }
        out.reserveCapacity(out.count + (bytes.count - index) / 3 * 4 + 4)
        while bytes.count - index >= 3 {
            Self.group(bytes[index], bytes[index + 1], bytes[index + 2], count: 3, to: &out)
            index += 3
        }
        carry.append(contentsOf: bytes[index...])
    }

    mutating func finish(to out: inout [UInt8]) {
        guard !carry.isEmpty else { return }
        Self.group(carry[0], carry.count > 1 ? carry[1] : 0, 0, count: carry.count, to: &out)
        carry.removeAll()
    }

    static func group(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, count: Int, to out: inout [UInt8]) {
        out.append(alphabet[Int(b0 >> 2)])
        out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
        out.append(count > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
        out.append(count > 2 ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
    }
}

@main
enum Base64Bench {
    static func main() {
        let size = 100 * 1024 * 1024
        let piece = 1 << 20  // AppDatabase.blobChunkBytes
        var generator = SystemRandomNumberGenerator()
        var input = [UInt8](repeating: 0, count: size)
        for i in stride(from: 0, to: size, by: 8) {
            withUnsafeBytes(of: generator.next() as UInt64) { word in for o in 0..<8 { input[i + o] = word[o] } }
        }

        /// Feeds `input` in pieces to an encoder; returns the output length and a checksum of it.
        func run(_ append: (UnsafeRawBufferPointer, inout [UInt8]) -> Void, _ finish: (inout [UInt8]) -> Void) -> (Int, UInt64) {
            var total = 0
            var sum: UInt64 = 0
            var out: [UInt8] = []
            func account() {
                total += out.count
                for byte in out { sum = sum &* 31 &+ UInt64(byte) }
                out.removeAll(keepingCapacity: true)
            }
            input.withUnsafeBytes { all in
                var offset = 0
                while offset < all.count {
                    let end = min(offset + piece, all.count)
                    append(UnsafeRawBufferPointer(rebasing: all[offset..<end]), &out)
                    account()
                    offset = end
                }
            }
            finish(&out)
            account()
            return (total, sum)
        }

        func median(_ name: String, _ body: () -> (Int, UInt64)) -> (Int, UInt64) {
            var times: [Double] = []
            var result = (0, UInt64(0))
            for _ in 0..<5 {
                let start = DispatchTime.now().uptimeNanoseconds
                result = body()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            times.sort()
            print("\(name): median \(String(format: "%.0f", times[2])) ms (min \(String(format: "%.0f", times[0])), max \(String(format: "%.0f", times[4])))")
            return result
        }

        let old = median("hand-written (before)") {
            var encoder = HandWrittenEncoder()
            return run({ encoder.append($0, to: &$1) }, { encoder.finish(to: &$0) })
        }
        let new = median("Base64.Encoder (Foundation on aligned pieces)") {
            var encoder = Base64.Encoder()
            return run({ encoder.append($0, to: &$1) }, { encoder.finish(to: &$0) })
        }
        let whole = Data(input).base64EncodedString()
        var sum: UInt64 = 0
        for byte in whole.utf8 { sum = sum &* 31 &+ UInt64(byte) }
        print("same output as Foundation on the whole: \(old == new && new == (whole.utf8.count, sum))")
    }
}
