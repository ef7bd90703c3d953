import Foundation
func work() async -> Int { ProcessInfo.processInfo.arguments.count }
@main struct Main { static func main() async { let x = await work(); print(x) } }
