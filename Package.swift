// swift-tools-version: 6.1
import PackageDescription

// Linux only, honestly: the code reads /proc, calls Glibc directly (flock, O_NOFOLLOW, getpwuid,
// localtime_r) and is built and tested on Linux alone, so no Apple platform is claimed.

// Start-up of a release `support` (issue 14: a short `ticket list` is mostly process start-up;
// callgrind, docs/benchmarks.md "Issue 14 again: a release `support` linked fully static").
// Concrete generic types such as `Set<TicketStatus>` are made through their metadata accessors
// instead of mangled names, which the runtime demangles and checks by scanning every protocol
// conformance of the binary (about 0.4 M instructions for each first use); and the `support`
// executable is linked fully static, so the dynamic loader has no relocations or symbols to
// resolve (libstdc++ among them): 20.7 M → 14.7 M instructions for `ticket list --status open`.
// Release only: tests run the debug build.
let startUpSettings: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"], .when(configuration: .release)),
]
let package = Package(
    name: "support",
    products: [
        .executable(name: "support", targets: ["support"]),
        .executable(name: "support-server", targets: ["support-server"]),
        // `support` for a desk on PostgreSQL: `support` execs it for a postgresql:// --db.
        .executable(name: "support-pg", targets: ["support-pg"]),
        .library(name: "SupportCore", targets: ["SupportCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // The HTTP server (`support serve` hands over to the `support-server` binary, so the
        // command-line tool never links NIO and keeps its start-up time).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // NIOPosix's thread pool, on which the server's writes wait (already under Hummingbird).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The PostgreSQL driver, linked only into `support-pg` and `support-server` (docs/architecture.md).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Tests only: property-based checks of the mail composer and ticket numbers.
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // Process-wide SQLite settings that only C can make (`sqlite3_config` is variadic).
        .target(
            name: "CSQLiteConfig",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        // posix_spawn's close-from action, which Swift's Glibc module does not declare.
        .target(name: "CSpawn"),
        // The core: domain, storage, mail and rendering. Never prints, never imports ArgumentParser.
        .target(
            name: "SupportCore",
            dependencies: [
                "CSQLiteConfig",
                "CSpawn",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: startUpSettings
        ),
        // The command layer: parses, calls the core, renders, maps errors to exit codes. A
        // library, so that `support` and `support-pg` are the same commands over other drivers.
        .target(
            name: "SupportCommands",
            dependencies: [
                "SupportCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/support",
            swiftSettings: startUpSettings
        ),
        // The command-line tool: hands a desk on PostgreSQL to `support-pg`, runs the rest.
        .executableTarget(
            name: "support",
            dependencies: ["SupportCommands"],
            path: "Sources/support-cli",
            swiftSettings: startUpSettings,
            // glibc linked statically too (the suite passed against this binary, SUPPORT_BIN=…:
            // getpwuid reads /etc/passwd, and charsets go through Foundation's own ICU, not
            // iconv); getpwuid may load the host's NSS modules, which must be of the glibc it was
            // built with, as the linker warns (README).
            // The Foundation libraries are named because a build without --static-swift-stdlib
            // compiles against the shared Foundation, whose modules do not ask for them.
            linkerSettings: [.unsafeFlags(["-static-executable", "-lFoundation", "-lFoundationInternationalization",
                                           "-lFoundationEssentials", "-lCoreFoundation", "-l_FoundationICU",
                                           "-l_FoundationCShims", "-l_FoundationCollections", "-lswiftSynchronization",
                                           "-lswiftDispatch", "-lswift_RegexParser", "-lswift_StringProcessing", "-lstdc++", "-lm"],
                                          .when(platforms: [.linux], configuration: .release))]
        ),
        // The same commands with the PostgreSQL driver linked in (NIO: never in `support`).
        .executableTarget(
            name: "support-pg",
            dependencies: ["SupportCommands", "SupportPostgres"]
        ),
        // The HTTP API: routes, JWT authentication, error mapping. Only `support-server` links it.
        .target(
            name: "SupportServer",
            dependencies: [
                "SupportCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The PostgreSQL driver behind the core's `PostgresSession`. Never linked into `support`:
        // NIO costs every command about 3 ms of start-up (SWIFT-FACTS.md).
        .target(
            name: "SupportPostgres",
            dependencies: [
                "SupportCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "support-server",
            dependencies: ["SupportServer", "SupportPostgres"]
        ),
        .testTarget(
            name: "SupportCoreTests",
            dependencies: [
                "SupportCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        // The PostgreSQL driver against a real server (PostgresTestDatabase; skipped without one).
        .testTarget(
            name: "SupportPostgresTests",
            dependencies: ["SupportCore", "SupportPostgres"]
        ),
        .testTarget(
            name: "SupportCLITests",
            dependencies: ["SupportCore"]
        ),
    ]
)
