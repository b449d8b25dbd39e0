/// What `PQconnectdbParams` gets, and the settings every session starts with.
struct ConnectionParameters: Sendable {
    var keywords: [String]
    var values: [String]
    /// Run once right after connecting (one round trip).
    var sessionSettings: String

    init(configuration: PostgresConfiguration, applicationName: String) {
        let connectTimeout = max(2, (configuration.connectTimeout.roundedUpMilliseconds + 999) / 1000)
        // Order matters: entries before `dbname` are defaults the URL may override; entries after it
        // are Coffer's and win over the URL.
        let pairs: [(String, String)] = [
            // Notice a dead peer (a failed-over primary, a cut network) in about a minute, not hours.
            ("keepalives", "1"),
            ("keepalives_idle", "30"),
            ("keepalives_interval", "10"),
            ("keepalives_count", "3"),
            ("dbname", configuration.url),
            ("connect_timeout", String(connectTimeout)),
            ("application_name", applicationName),
            // Rows are decoded as UTF-8.
            ("client_encoding", "UTF8"),
        ]
        keywords = pairs.map(\.0)
        values = pairs.map(\.1)
        var settings = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET bytea_output = 'hex';"
        if let timeout = configuration.statementTimeout {
            settings += " SET statement_timeout = \(timeout.roundedUpMilliseconds);"
        }
        sessionSettings = settings
    }
}
