import SupportCommands
import SupportPostgres

// `support` with the PostgreSQL driver: `support` execs this for a `postgresql://` desk, so that
// NIO's start-up is paid by those commands only. (docs/architecture.md)
PostgresDriver.install()
SupportEntry.main()
