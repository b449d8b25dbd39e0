/// Signs and verifies calls between Coffer's services. Every ordered pair of services has its own
/// secret (`COFFER_INTERNAL_SECRETS=payments>payouts:…`), so a service holds only the secrets of the
/// pairs it is part of, and the header names the sender:
/// `X-Coffer-Signature: t=<unix>,s=<sender>,v1=<hex HMAC-SHA256(secret(sender>receiver), t "." s "." method " " target "." body)>`.
/// `target` is the request target as sent (path and query), so neither can be altered in transit.
/// Verification checks the header's shape, the time and the sender before the body is read
/// (`checkHead`), then the MAC (`verify`). During a rotation the previous pair secrets are accepted too.
public struct InternalRequestSigner: Sendable {
    public static let headerName = "X-Coffer-Signature"

    public enum Verdict: Error, Sendable, Equatable {
        case valid
        case missing
        case malformed
        case stale
        case unknownSender
        case mismatch

        /// The error code a refused call gets.
        public var code: String {
            switch self {
            case .valid: "ok"
            case .missing: "missing_signature"
            case .malformed: "malformed_signature"
            case .stale: "timestamp_out_of_tolerance"
            case .unknownSender: "unknown_sender"
            case .mismatch: "invalid_signature"
            }
        }
    }

    /// A parsed header: what can be checked before the body arrives.
    public struct Header: Sendable, Equatable {
        public let timestamp: Int64
        public let sender: String
        public let macs: [[UInt8]]
    }

    /// This service's name: the sender of what it signs, the receiver of what it verifies.
    public let service: String
    private let secrets: InternalSecrets
    public let toleranceSeconds: Int64

    public init(service: String, secrets: InternalSecrets, toleranceSeconds: Int64 = 300) {
        self.service = service
        self.secrets = secrets
        self.toleranceSeconds = toleranceSeconds
    }

    /// Whether this service holds a secret for calling `receiver`.
    public func canSign(to receiver: String) -> Bool { secrets.current[InternalSecrets.pair(service, receiver)] != nil }

    /// The services this one can verify calls from.
    public var knownSenders: Set<String> {
        Set(
            secrets.current.keys.compactMap { pair in
                let parts = pair.split(separator: ">", maxSplits: 1).map(String.init)
                return parts.count == 2 && parts[1] == service ? parts[0] : nil
            })
    }

    /// The header value for a call to `receiver` made at `timestamp` (Unix seconds); nil when this
    /// service holds no secret for that pair.
    public func signature(to receiver: String, method: String, target: String, body: [UInt8], timestamp: Int64)
        -> String?
    {
        guard let key = secrets.current[InternalSecrets.pair(service, receiver)] else { return nil }
        let mac = Self.mac(key, timestamp: timestamp, sender: service, method: method, target: target, body: body)
        return "t=\(timestamp),s=\(service),v1=\(Hex.encode(mac))"
    }

    /// Parses the header strictly: one `t` (decimal, fits in Int64), one `s` (a service name), one or
    /// more `v1` (64 hex characters). Nothing else is allowed, so a header cannot smuggle alternatives.
    public static func parse(_ header: String?) -> Result<Header, Verdict> {
        guard let header, !header.isEmpty else { return .failure(.missing) }
        guard header.utf8.count <= 512 else { return .failure(.malformed) }
        var timestamp: Int64?
        var sender: String?
        var macs: [[UInt8]] = []
        for part in header.split(separator: ",", omittingEmptySubsequences: false) {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { return .failure(.malformed) }
            switch pair[0] {
            case "t":
                guard timestamp == nil, !pair[1].isEmpty, pair[1].utf8.count <= 19,
                    pair[1].utf8.allSatisfy({ (48...57).contains($0) }),
                    let value = Int64(pair[1])
                else { return .failure(.malformed) }
                timestamp = value
            case "s":
                guard sender == nil, (1...32).contains(pair[1].utf8.count),
                    pair[1].utf8.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) || $0 == 45 })
                else { return .failure(.malformed) }
                sender = String(pair[1])
            case "v1":
                guard macs.count < 2, pair[1].utf8.count == 64, let bytes = Hex.decode(String(pair[1])),
                    bytes.count == 32
                else {
                    return .failure(.malformed)
                }
                macs.append(bytes)
            default:
                return .failure(.malformed)
            }
        }
        guard let timestamp, let sender, !macs.isEmpty else { return .failure(.malformed) }
        return .success(Header(timestamp: timestamp, sender: sender, macs: macs))
    }

    /// What can be decided before the body is read: shape, time, and a sender this service has a secret for.
    public func checkHead(_ header: String?, now: Int64) -> Result<Header, Verdict> {
        switch Self.parse(header) {
        case .failure(let verdict):
            return .failure(verdict)
        case .success(let parsed):
            guard TimestampWindow.contains(parsed.timestamp, now: now, tolerance: toleranceSeconds) else {
                return .failure(.stale)
            }
            guard secrets.current[InternalSecrets.pair(parsed.sender, service)] != nil else {
                return .failure(.unknownSender)
            }
            return .success(parsed)
        }
    }

    /// The whole check: the head's, then the MAC over the body with the sender's pair secret (current,
    /// then previous). Returns the verified sender.
    public func verify(header: String?, method: String, target: String, body: [UInt8], now: Int64) -> Result<
        String, Verdict
    > {
        switch checkHead(header, now: now) {
        case .failure(let verdict):
            return .failure(verdict)
        case .success(let parsed):
            let pair = InternalSecrets.pair(parsed.sender, service)
            for key in [secrets.current[pair], secrets.previous[pair]].compactMap({ $0 }) {
                let expected = Self.mac(
                    key, timestamp: parsed.timestamp, sender: parsed.sender, method: method, target: target, body: body)
                if parsed.macs.contains(where: { ConstantTime.equals($0, expected) }) { return .success(parsed.sender) }
            }
            return .failure(.mismatch)
        }
    }

    private static func mac(
        _ key: [UInt8], timestamp: Int64, sender: String, method: String, target: String, body: [UInt8]
    ) -> [UInt8] {
        var context = HMACContext(digest: .sha256, key: key)
        context.update("\(timestamp).\(sender).\(method) \(target).")
        context.update(body)
        return context.finalize()
    }
}
