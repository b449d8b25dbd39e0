import Foundation
import Postgres
import Shared

#if canImport(Glibc)
    import Glibc
#endif

/// A private, throwaway PostgreSQL cluster for tests that stop or restart the server, so they never
/// disturb the shared one other tests use. `initdb` into a temporary folder, a free port on
/// 127.0.0.1, a random superuser password; as root the server runs as the `postgres` user (it refuses
/// to run as root). Call `destroy()` when done.
public final class TestPostgresServer: Sendable {
    public let dataDirectory: String
    public let port: Int
    public let password: String
    private let binDirectory: String

    /// Superuser URL for the `postgres` database.
    public var superuserURL: String { url(database: "postgres") }

    public func url(database: String) -> String {
        "postgresql://postgres:\(password)@127.0.0.1:\(port)/\(database)"
    }

    private init(dataDirectory: String, port: Int, password: String, binDirectory: String) {
        self.dataDirectory = dataDirectory
        self.port = port
        self.password = password
        self.binDirectory = binDirectory
    }

    /// Initialises and starts a new cluster (about a second or two).
    public static func start() async throws -> TestPostgresServer {
        let bin = try binDirectory()
        let directory = try makeTemporaryDirectory()
        let password = Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
        let port = try freePort()
        let server = TestPostgresServer(dataDirectory: directory, port: port, password: password, binDirectory: bin)
        let passwordFile = directory + ".pw"
        try password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: passwordFile) }
        if getuid() == 0 {
            try await TestProcess.run(["/bin/chown", "postgres:", directory, passwordFile])
        }
        try await server.asServerUser([
            bin + "/initdb", "-D", directory, "-U", "postgres", "--pwfile=" + passwordFile, "--auth-local=trust",
            "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        ])
        // Durability is irrelevant for a throwaway cluster; speed is not.
        let settings = """
            listen_addresses = '127.0.0.1'
            port = \(port)
            unix_socket_directories = '\(directory)'
            max_connections = 100
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            log_min_messages = warning

            """
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/postgresql.conf"))
        handle.seekToEndOfFile()
        handle.write(Data(settings.utf8))
        try handle.close()
        try await server.startServer()
        // Services switch to this role for cross-tenant work (PlatformRole): a superuser may, but it must exist.
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: server.superuserURL, poolSize: 1),
            logger: TestEnvironment.logger())
        do {
            try await pool.execute("CREATE ROLE coffer_platform NOLOGIN")
            await pool.shutdown()
        } catch {
            await pool.shutdown()
            throw error
        }
        return server
    }

    /// Starts a stopped server and waits until it accepts connections.
    public func startServer() async throws {
        try await asServerUser([
            binDirectory + "/pg_ctl", "-D", dataDirectory, "-l", dataDirectory + "/server.log", "-w", "-t", "60",
            "start",
        ])
    }

    /// Fast shutdown: open sessions are terminated, as in a real restart or failover.
    public func stopServer() async throws {
        try await asServerUser([binDirectory + "/pg_ctl", "-D", dataDirectory, "-m", "fast", "-w", "stop"])
    }

    /// `pg_ctl restart -m fast`.
    public func restartServer() async throws {
        try await asServerUser([
            binDirectory + "/pg_ctl", "-D", dataDirectory, "-l", dataDirectory + "/server.log", "-m", "fast", "-w",
            "-t", "60", "restart",
        ])
    }

    /// Stops the server (if running) and deletes its files.
    public func destroy() async {
        _ = try? await asServerUser([binDirectory + "/pg_ctl", "-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    private func asServerUser(_ arguments: [String]) async throws {
        if getuid() == 0 {
            try await TestProcess.run(["/usr/sbin/runuser", "-u", "postgres", "--"] + arguments)
        } else {
            try await TestProcess.run(arguments)
        }
    }

    /// `PG_BIN_DIR`, else the newest `/usr/lib/postgresql/*/bin`.
    static func binDirectory() throws -> String {
        if let bin = ProcessInfo.processInfo.environment["PG_BIN_DIR"], !bin.isEmpty { return bin }
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) })
        where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/pg_ctl") {
            return "\(root)/\(version)/bin"
        }
        throw TestDatabaseError("PG_BIN_DIR is not set and no /usr/lib/postgresql/*/bin/pg_ctl was found")
    }

    static func makeTemporaryDirectory() throws -> String {
        var template = Array("/tmp/coffer-pg-test.XXXXXX".utf8CString)
        guard
            let path = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } })
        else {
            throw TestDatabaseError("mkdtemp failed")
        }
        return String(cString: path)
    }

    /// A port the kernel just handed out on 127.0.0.1 (free at that moment).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestDatabaseError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw TestDatabaseError("bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw TestDatabaseError("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
