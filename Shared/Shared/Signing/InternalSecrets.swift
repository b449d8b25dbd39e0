/// The secrets of the service pairs one service is part of, from `COFFER_INTERNAL_SECRETS`
/// (`sender>receiver:secret,…`) and, during a rotation, `COFFER_INTERNAL_SECRETS_PREVIOUS`.
/// Pairs that do not involve the service are dropped on reading: a service never holds the secret
/// another pair uses (ingress, facing the internet, cannot speak as payments to payouts).
public struct InternalSecrets: Sendable, Equatable {
    public private(set) var current: [String: [UInt8]]
    public private(set) var previous: [String: [UInt8]]

    public static let minimumSecretLength = 16

    public init(current: [String: [UInt8]] = [:], previous: [String: [UInt8]] = [:]) {
        self.current = current
        self.previous = previous
    }

    public static func pair(_ sender: String, _ receiver: String) -> String { sender + ">" + receiver }

    /// A problem with one entry of the variable, for the configuration report (never the secret).
    public struct EntryError: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Parses `sender>receiver:secret` entries, keeping those that involve `service`. Returns the pairs
    /// and the names of pairs that were given but do not involve the service.
    public static func parse(_ entries: [String], service: String) throws(EntryError) -> (
        pairs: [String: [UInt8]], foreign: [String]
    ) {
        var pairs: [String: [UInt8]] = [:]
        var foreign: [String] = []
        for entry in entries {
            guard let colon = entry.firstIndex(of: ":") else {
                throw EntryError(message: "entries must be sender>receiver:secret")
            }
            let names = entry[..<colon].split(separator: ">", omittingEmptySubsequences: false).map(String.init)
            let secret = entry[entry.index(after: colon)...]
            guard names.count == 2, !names[0].isEmpty, !names[1].isEmpty, names[0] != names[1] else {
                throw EntryError(message: "entries must be sender>receiver:secret with two different service names")
            }
            guard secret.utf8.count >= minimumSecretLength else {
                throw EntryError(
                    message: "the secret of \(names[0])>\(names[1]) must be at least \(minimumSecretLength) characters")
            }
            let name = pair(names[0], names[1])
            guard names[0] == service || names[1] == service else {
                foreign.append(name)
                continue
            }
            guard pairs[name] == nil else { throw EntryError(message: "\(name) is given twice") }
            pairs[name] = Array(secret.utf8)
        }
        return (pairs, foreign)
    }

    /// Every ordered pair among `services`, each with a secret from `secret(pair)` (for `make run` and tests).
    public static func mesh(_ services: [String], secret: (String) -> String) -> [String] {
        services.flatMap { sender in
            services.filter { $0 != sender }.map { receiver in
                pair(sender, receiver) + ":" + secret(pair(sender, receiver))
            }
        }
    }
}
