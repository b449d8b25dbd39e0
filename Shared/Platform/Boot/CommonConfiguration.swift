import HTTP
import Shared

/// Configuration every service reads. Service-specific variables are read next to it, by the service.
public struct CommonConfiguration: Sendable {
    public enum Environment: String, Sendable {
        case development, test, production
    }

    public var environment: Environment
    public var logLevel: LogLevel
    public var logFile: String?
    public var accessLog: Bool
    public var databaseURL: String
    /// The role that owns the schema and runs migrations (defaults to `databaseURL`).
    public var databaseOwnerURL: String
    public var databasePoolSize: Int
    public var databaseStartupTimeout: Duration
    public var internalSecret: String
    public var previousInternalSecret: String?
    /// Named operator tokens from `COFFER_ADMIN_TOKENS` (`name:token,…`); `COFFER_ADMIN_TOKEN` alone
    /// counts as the operator named `admin`.
    public var adminTokens: [String: String]
    public var trustedProxies: TrustedProxies
    public var http: HTTPServerConfiguration
    public var buildCommit: String

    public init(reader: inout ConfigReader, defaultPort: Int) {
        let env = reader.choice("COFFER_ENV", default: "production", allowed: ["development", "test", "production"])
        environment = Environment(rawValue: env) ?? .production
        let levelName = reader.string("LOG_LEVEL", default: "info")
        if let level = LogLevel(name: levelName) {
            logLevel = level
        } else {
            reader.problem("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical, got \"\(levelName)\"")
            logLevel = .info
        }
        logFile = reader.optionalString("LOG_FILE")
        accessLog = reader.bool("ACCESS_LOG", default: true)
        databaseURL = reader.string("DATABASE_URL", secret: true)
        databaseOwnerURL = reader.optionalString("DATABASE_OWNER_URL", secret: true) ?? databaseURL
        for (name, value) in [("DATABASE_URL", databaseURL), ("DATABASE_OWNER_URL", databaseOwnerURL)]
        where !value.isEmpty && !(value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") || value.contains("=")) {
            reader.problem("\(name) must be a postgresql:// URL or a libpq key=value string")
        }
        databasePoolSize = reader.int("DATABASE_POOL_SIZE", default: 16, range: 1...500)
        databaseStartupTimeout = reader.duration("DATABASE_STARTUP_TIMEOUT", default: .seconds(60))
        internalSecret = reader.string("COFFER_INTERNAL_SECRET", secret: true)
        if !internalSecret.isEmpty, internalSecret.utf8.count < 16 {
            reader.problem("COFFER_INTERNAL_SECRET must be at least 16 characters")
        }
        previousInternalSecret = reader.optionalString("COFFER_INTERNAL_SECRET_PREVIOUS", secret: true)
        adminTokens = Self.parseAdminTokens(&reader)
        do {
            trustedProxies = try TrustedProxies(cidrs: reader.list("TRUSTED_PROXIES"))
        } catch {
            reader.problem(error.description)
            trustedProxies = .none
        }
        http = HTTPServerConfiguration.read(from: &reader, defaultPort: defaultPort)
        buildCommit = reader.string("COFFER_BUILD_COMMIT", default: "unknown")
    }

    static func parseAdminTokens(_ reader: inout ConfigReader) -> [String: String] {
        var tokens: [String: String] = [:]
        for entry in reader.list("COFFER_ADMIN_TOKENS", secret: true) {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].utf8.count >= 16 else {
                reader.problem("COFFER_ADMIN_TOKENS entries must be name:token with a token of at least 16 characters")
                continue
            }
            tokens[parts[0]] = parts[1]
        }
        if let single = reader.optionalString("COFFER_ADMIN_TOKEN", secret: true), !tokens.values.contains(single) {
            if single.utf8.count < 16 {
                reader.problem("COFFER_ADMIN_TOKEN must be at least 16 characters")
            } else {
                tokens["admin"] = single
            }
        }
        return tokens
    }
}
