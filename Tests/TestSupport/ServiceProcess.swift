import Foundation
import HTTP
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A Coffer binary running as a real process, for end-to-end tests: started with its own
/// environment, its output kept in a file, stopped by signal.
public final class ServiceProcess: @unchecked Sendable {
    // @unchecked: `pid` and `exitStatus` are guarded by `lock`.
    public let name: String
    public let port: Int
    /// The internal listener's port (`INTERNAL_PORT`): `/internal/*`, `/admin/*`, `/metrics`.
    public let internalPort: Int
    public let logPath: String
    private let lock = NSLock()
    private var pid: pid_t
    private var exitStatus: Int32?

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// Where operators and other services reach it.
    public var internalURL: String { "http://127.0.0.1:\(internalPort)" }

    /// The directory with the built binaries (`COFFER_BIN_DIR`, set by `make test`; else `.build/debug`).
    public static var binDirectory: String {
        if let configured = ProcessInfo.processInfo.environment["COFFER_BIN_DIR"], !configured.isEmpty {
            return configured
        }
        return FileManager.default.currentDirectoryPath + "/.build/debug"
    }

    /// Ports this test process handed out recently: the kernel may offer a just-closed port again, and
    /// two of ours (a service's public and internal listeners) must never be the same.
    private static let handedOut = Mutex<[Int]>([])

    /// A free TCP port on 127.0.0.1, never one handed out in the last 256 calls.
    public static func freePort() -> Int {
        while true {
            let port = probeFreePort()
            let fresh = handedOut.withLock { recent -> Bool in
                guard !recent.contains(port) else { return false }
                recent.append(port)
                if recent.count > 256 { recent.removeFirst() }
                return true
            }
            if fresh { return port }
        }
    }

    private static func probeFreePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts `binary` (e.g. `coffer-ingress`) with the current environment overlaid by `environment`.
    public init(
        binary: String, port: Int? = nil, internalPort: Int? = nil, environment: [String: String],
        arguments: [String] = []
    ) throws {
        name = binary
        self.port = port ?? Self.freePort()
        self.internalPort = internalPort ?? Self.freePort()
        logPath = NSTemporaryDirectory() + "\(binary)-\(UUID().uuidString.prefix(8)).log"
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        env["PORT"] = String(self.port)
        env["INTERNAL_PORT"] = String(self.internalPort)
        let fd = open(logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(fd) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fd, 1)
        posix_spawn_file_actions_adddup2(&actions, fd, 2)
        let path = Self.binDirectory + "/" + binary
        var argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, path, &actions, nil, &argv, &envp)
        guard spawned == 0 else { throw TestDatabaseError("could not start \(path) (errno \(spawned))") }
        pid = child
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }

    public var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until `GET /health/ready` answers 200.
    public func waitUntilReady(timeout: Duration = .seconds(30)) async throws {
        let client = LoopHTTPClient()
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let code = pollExit() {
                throw TestDatabaseError("\(name) exited with \(code) before it was ready:\n\(output.suffix(3000))")
            }
            if let response = try? await client.send(
                HTTPClientRequest(method: .GET, url: baseURL + "/health/ready", timeout: .seconds(1))),
                response.status == .ok
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestDatabaseError("\(name) was not ready within \(timeout):\n\(output.suffix(3000))")
    }

    /// Waits until the gauge `metric` on `/metrics` (internal listener) satisfies `condition`: for what a
    /// process does after it is ready (payouts confirming its tenancy copy before money may move out).
    public func waitForMetric(
        _ metric: String, timeout: Duration = .seconds(30), _ condition: @escaping (Double) -> Bool
    ) async throws {
        let client = LoopHTTPClient()
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let response = try? await client.send(
                HTTPClientRequest(method: .GET, url: internalURL + "/metrics", timeout: .seconds(1))),
                response.status == .ok
            {
                let text = String(decoding: response.body, as: UTF8.self)
                for line in text.split(separator: "\n") where line.hasPrefix(metric + " ") {
                    if let value = Double(line.dropFirst(metric.count + 1)), condition(value) { return }
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestDatabaseError("\(name): \(metric) did not reach the expected value within \(timeout)")
    }

    public func signal(_ number: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if exitStatus == nil { kill(pid, number) }
    }

    /// The exit code if the process has ended (128 + signal when killed by one).
    public func pollExit() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return exitStatus
    }

    /// Waits for the process to end; nil on timeout.
    public func waitForExit(timeout: Duration = .seconds(30)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let code = pollExit() { return code }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// SIGTERM, then SIGKILL if it has not ended within `grace`.
    @discardableResult
    public func stop(grace: Duration = .seconds(15)) async -> Int32? {
        signal(SIGTERM)
        if let code = await waitForExit(timeout: grace) { return code }
        signal(SIGKILL)
        return await waitForExit(timeout: .seconds(5))
    }
}
