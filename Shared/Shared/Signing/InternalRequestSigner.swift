/// Signs and verifies calls between Coffer's services (DESIGN.md):
/// `X-Coffer-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + method + " " + target + "." + body)>`.
/// `target` is the request target as sent (path and query), so neither can be altered in transit.
/// A previous secret may be configured during a rotation; signing always uses the current one.
public struct InternalRequestSigner: Sendable {
    public static let headerName = "X-Coffer-Signature"

    public enum Verdict: Sendable, Equatable {
        case valid
        case missing
        case malformed
        case stale
        case mismatch

        /// The error code a refused call gets.
        public var code: String {
            switch self {
            case .valid: "ok"
            case .missing: "missing_signature"
            case .malformed: "malformed_signature"
            case .stale: "timestamp_out_of_tolerance"
            case .mismatch: "invalid_signature"
            }
        }
    }

    private let secret: [UInt8]
    private let previousSecret: [UInt8]?
    public let toleranceSeconds: Int64

    public init(secret: String, previousSecret: String? = nil, toleranceSeconds: Int64 = 300) {
        self.secret = Array(secret.utf8)
        self.previousSecret = previousSecret.map { Array($0.utf8) }
        self.toleranceSeconds = toleranceSeconds
    }

    /// The header value for a call made at `timestamp` (Unix seconds).
    public func signature(method: String, target: String, body: [UInt8], timestamp: Int64) -> String {
        "t=\(timestamp),v1=\(Hex.encode(mac(secret, method: method, target: target, body: body, timestamp: timestamp)))"
    }

    public func verify(header: String?, method: String, target: String, body: [UInt8], now: Int64) -> Verdict {
        guard let header, !header.isEmpty else { return .missing }
        var timestamp: Int64?
        var candidates: [[UInt8]] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { return .malformed }
            switch pair[0] {
            case "t": timestamp = Int64(pair[1])
            case "v1":
                guard let bytes = Hex.decode(String(pair[1])), bytes.count == 32 else { return .malformed }
                candidates.append(bytes)
            default: continue
            }
        }
        guard let timestamp, !candidates.isEmpty else { return .malformed }
        guard abs(now - timestamp) <= toleranceSeconds else { return .stale }
        for key in [secret] + (previousSecret.map { [$0] } ?? []) {
            let expected = mac(key, method: method, target: target, body: body, timestamp: timestamp)
            if candidates.contains(where: { ConstantTime.equals($0, expected) }) { return .valid }
        }
        return .mismatch
    }

    private func mac(_ key: [UInt8], method: String, target: String, body: [UInt8], timestamp: Int64) -> [UInt8] {
        var context = HMACContext(digest: .sha256, key: key)
        context.update("\(timestamp).\(method) \(target).")
        context.update(body)
        return context.finalize()
    }
}
