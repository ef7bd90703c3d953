import Foundation
import SupportPostgres
import SupportServer

// Desks on PostgreSQL as well as SQLite (the store is chosen from --db when it opens).
PostgresDriver.install()

exit(await ServerMain.run(Array(CommandLine.arguments.dropFirst())))
