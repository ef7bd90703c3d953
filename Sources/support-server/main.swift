import Foundation
import SupportServer

exit(await ServerMain.run(Array(CommandLine.arguments.dropFirst())))
