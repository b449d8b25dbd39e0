#if canImport(Glibc)
    import Glibc
#endif

/// Which peers may tell us the client's address through `X-Forwarded-For` (`TRUSTED_PROXIES`, CIDRs).
/// Anyone else's header is ignored: otherwise any client could pick the IP its rate limit is keyed on.
public struct TrustedProxies: Sendable {
    struct Network: Sendable {
        let address: [UInt8]
        let prefixLength: Int

        func contains(_ candidate: [UInt8]) -> Bool {
            guard candidate.count == address.count else { return false }
            var remaining = prefixLength
            for index in 0..<address.count where remaining > 0 {
                let bits = min(8, remaining)
                let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if candidate[index] & mask != address[index] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    private let networks: [Network]

    public static let none = TrustedProxies(networks: [])

    private init(networks: [Network]) { self.networks = networks }

    /// Parses `10.0.0.0/8,192.168.1.7,::1/128`. Throws naming the first invalid entry.
    public init(cidrs: [String]) throws(TrustedProxiesError) {
        var networks: [Network] = []
        for entry in cidrs {
            let parts = entry.split(separator: "/", maxSplits: 1)
            guard let address = Self.parseIP(String(parts[0])) else { throw TrustedProxiesError(entry: entry) }
            let maxPrefix = address.count * 8
            let prefix = parts.count == 2 ? Int(parts[1]) : maxPrefix
            guard let prefix, (0...maxPrefix).contains(prefix) else { throw TrustedProxiesError(entry: entry) }
            networks.append(Network(address: address, prefixLength: prefix))
        }
        self.networks = networks
    }

    public func isTrusted(_ ip: String) -> Bool {
        guard let bytes = Self.parseIP(ip) else { return false }
        return networks.contains { $0.contains(bytes) }
    }

    /// The client's address: walk `X-Forwarded-For` from the right while the hop is trusted; the first
    /// untrusted hop is the client. Without a trusted peer the header is not read at all.
    public func clientIP(peer: String, forwardedFor: String?) -> String {
        guard !networks.isEmpty, isTrusted(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { String($0.trimmingASCIIWhitespace()) }.filter {
            !$0.isEmpty
        }
        var client = peer
        for hop in hops.reversed() {
            guard Self.parseIP(hop) != nil else { return client }
            client = hop
            if !isTrusted(hop) { return hop }
        }
        return client
    }

    static func parseIP(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            // An IPv4-mapped IPv6 address compares as IPv4.
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
                return Array(bytes[12...])
            }
            return bytes
        }
        return nil
    }
}

public struct TrustedProxiesError: Error, Sendable, CustomStringConvertible {
    public let entry: String
    public var description: String { "TRUSTED_PROXIES has an invalid address or CIDR: \"\(entry)\"" }
}
