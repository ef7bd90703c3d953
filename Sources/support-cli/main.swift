import SupportCommands

// A desk on PostgreSQL is run by `support-pg` (the driver's binary) in this process's place;
// everything else by the commands linked here. (Sources/support/PostgresHandOver.swift)
PostgresHandOver.execIfPostgres()
SupportEntry.main()
