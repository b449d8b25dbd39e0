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
    /// The role that owns the schema and runs migrations. Only the migration job (or a development
    /// machine) is given it: without it a service does not migrate, it waits for the migrations.
    public var databaseOwnerURL: String?
    public var databasePoolSize: Int
    public var databaseStartupTimeout: Duration
    /// The secrets of the service pairs this service is part of (`COFFER_INTERNAL_SECRETS`).
    public var internalSecrets: InternalSecrets
    /// Named operator tokens from `COFFER_ADMIN_TOKENS` (`name:token,…`); `COFFER_ADMIN_TOKEN` alone
    /// counts as the operator named `admin`.
    public var adminTokens: [String: String]
    public var trustedProxies: TrustedProxies
    /// Failed authentications allowed per client address (per minute, and in a burst) before it is refused with 429.
    public var authFailuresPerMinute: Int
    public var authFailuresBurst: Int
    /// How long a service's tenancy copy may go unconfirmed against payments before requests that
    /// move money out are refused (`TENANCY_MAX_STALENESS`, `TenancyFreshness`).
    public var tenancyMaxStaleness: Duration
    public var http: HTTPServerConfiguration
    /// The internal listener (`INTERNAL_PORT`, default the public port + 1000): `/internal/*`, `/admin/*`, `/metrics`.
    public var internalHTTP: HTTPServerConfiguration
    public var buildCommit: String

    public init(reader: inout ConfigReader, defaultPort: Int) {
        let env = reader.choice("COFFER_ENV", default: "production", allowed: ["development", "test", "production"])
        environment = Environment(rawValue: env) ?? .production
        let levelName = reader.string("LOG_LEVEL", default: "info")
        if let level = LogLevel(name: levelName) {
            logLevel = level
        } else {
            reader.problem(
                "LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical, got \"\(levelName)\"")
            logLevel = .info
        }
        logFile = reader.optionalString("LOG_FILE")
        accessLog = reader.bool("ACCESS_LOG", default: true)
        databaseURL = reader.string("DATABASE_URL", secret: true)
        databaseOwnerURL = reader.optionalString("DATABASE_OWNER_URL", secret: true)
        for (name, value) in [("DATABASE_URL", databaseURL), ("DATABASE_OWNER_URL", databaseOwnerURL ?? "")]
        where !value.isEmpty
            && !(value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") || value.contains("="))
        {
            reader.problem("\(name) must be a postgresql:// URL or a libpq key=value string")
        }
        databasePoolSize = reader.int("DATABASE_POOL_SIZE", default: 16, range: 1...500)
        databaseStartupTimeout = reader.duration("DATABASE_STARTUP_TIMEOUT", default: .seconds(60))
        internalSecrets = Self.readInternalSecrets(&reader, environment: environment)
        adminTokens = Self.parseAdminTokens(&reader)
        do {
            trustedProxies = try TrustedProxies(cidrs: reader.list("TRUSTED_PROXIES"))
        } catch {
            reader.problem(error.description)
            trustedProxies = .none
        }
        authFailuresPerMinute = reader.int("AUTH_FAILURES_PER_MINUTE", default: 60, range: 1...1_000_000)
        authFailuresBurst = reader.int("AUTH_FAILURES_BURST", default: 120, range: 1...1_000_000)
        tenancyMaxStaleness = reader.duration("TENANCY_MAX_STALENESS", default: .seconds(60), minimum: .seconds(2))
        http = HTTPServerConfiguration.read(from: &reader, defaultPort: defaultPort)
        internalHTTP = http
        internalHTTP.host = reader.string("INTERNAL_HOST", default: http.host)
        internalHTTP.port = reader.int("INTERNAL_PORT", default: defaultPort + 1000, range: 0...65535)
        if internalHTTP.port != 0, internalHTTP.port == http.port {
            reader.problem(
                "INTERNAL_PORT must differ from PORT (\(http.port)): the internal listener is never the public one")
        }
        buildCommit = reader.string("COFFER_BUILD_COMMIT", default: "unknown")
    }

    /// Each ordered pair of services has its own secret; a service keeps only its own pairs, and in
    /// production refuses to be given anyone else's (least privilege: ingress must not hold payments>payouts).
    static func readInternalSecrets(_ reader: inout ConfigReader, environment: Environment) -> InternalSecrets {
        if reader.optionalString("COFFER_INTERNAL_SECRET", secret: true) != nil {
            reader.problem(
                "COFFER_INTERNAL_SECRET is replaced by COFFER_INTERNAL_SECRETS (one secret per sender>receiver pair)")
        }
        var secrets = InternalSecrets()
        for (name, previous) in [("COFFER_INTERNAL_SECRETS", false), ("COFFER_INTERNAL_SECRETS_PREVIOUS", true)] {
            let entries = reader.list(name, secret: true)
            do {
                let (pairs, foreign) = try InternalSecrets.parse(entries, service: reader.service)
                if environment == .production, !foreign.isEmpty {
                    reader.problem(
                        "\(name) holds pairs that do not involve \(reader.service) (\(foreign.sorted().joined(separator: ", "))): give each service only its own pairs"
                    )
                }
                secrets =
                    previous
                    ? InternalSecrets(current: secrets.current, previous: pairs) : InternalSecrets(current: pairs)
            } catch {
                reader.problem("\(name): \(error.message)")
            }
        }
        return secrets
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

extension OutboundAddressPolicy {
    /// Where calls to tenant-chosen URLs may go in this deployment: loopback and private networks only
    /// in development and tests; metadata and link-local addresses never.
    public static func forEnvironment(_ environment: CommonConfiguration.Environment) -> OutboundAddressPolicy {
        environment == .production ? .publicOnly : .localDevelopment
    }
}
