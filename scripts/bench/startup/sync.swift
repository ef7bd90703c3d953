import Foundation
@main struct Main { static func main() { let x = ProcessInfo.processInfo.arguments.count; print(x) } }
