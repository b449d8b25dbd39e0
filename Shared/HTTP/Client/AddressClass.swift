/// What kind of network an IP address belongs to, for deciding where outbound calls may go (SSRF):
/// a tenant-supplied URL must never reach the cloud's metadata service, a link-local address, or —
/// outside development and tests — loopback and private networks.
public enum AddressClass: String, Sendable, Equatable {
    case publicInternet = "public"
    case loopback
    case privateNetwork = "private"
    case linkLocal = "link_local"
    /// Cloud instance-metadata endpoints (169.254.169.254, fd00:ec2::254, 100.100.100.200, …).
    case metadata
    /// Unspecified, multicast, broadcast, reserved: nothing a provider lives at.
    case reserved

    /// Classifies an address given as text (IPv4, IPv6, IPv4-mapped IPv6); nil if it is not an IP literal.
    public static func classify(_ text: String) -> AddressClass? {
        var literal = text
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        guard let bytes = TrustedProxies.parseIP(literal) else { return nil }
        return classify(bytes: bytes)
    }

    static func classify(bytes: [UInt8]) -> AddressClass {
        if bytes.count == 4 { return classifyV4(bytes) }
        return classifyV6(bytes)
    }

    private static func classifyV4(_ b: [UInt8]) -> AddressClass {
        switch (b[0], b[1], b[2], b[3]) {
        case (169, 254, 169, 254), (169, 254, 170, 2), (100, 100, 100, 200), (192, 0, 0, 192): return .metadata
        case (169, 254, _, _): return .linkLocal
        case (127, _, _, _): return .loopback
        case (10, _, _, _), (192, 168, _, _): return .privateNetwork
        case (172, 16...31, _, _): return .privateNetwork
        case (100, 64...127, _, _): return .privateNetwork  // carrier-grade NAT, also used by clusters
        case (0, _, _, _), (224...255, _, _, _): return .reserved
        case (192, 0, 0, _), (198, 18...19, _, _): return .reserved
        default: return .publicInternet
        }
    }

    private static func classifyV6(_ b: [UInt8]) -> AddressClass {
        if b == [0xFD, 0x00, 0x0E, 0xC2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54] { return .metadata }
        if b.dropLast().allSatisfy({ $0 == 0 }) {
            return b[15] == 1 ? .loopback : .reserved  // ::1, ::
        }
        if b[0] == 0xFE, b[1] & 0xC0 == 0x80 { return .linkLocal }  // fe80::/10
        if b[0] & 0xFE == 0xFC { return .privateNetwork }  // fc00::/7
        if b[0] == 0xFF { return .reserved }  // multicast
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xFF, b[3] == 0x9B {  // 64:ff9b::/96 (NAT64) carries an IPv4 address
            return classifyV4(Array(b[12...]))
        }
        return .publicInternet
    }
}

/// Which address classes an outbound call may connect to. Checked against every address a name
/// resolves to (one disallowed address refuses the call, so a name cannot smuggle a private one in).
public struct OutboundAddressPolicy: Sendable, Equatable {
    public let allowed: Set<AddressClass>

    public init(allowed: Set<AddressClass>) { self.allowed = allowed }

    /// Public internet only (production, live mode).
    public static let publicOnly = OutboundAddressPolicy(allowed: [.publicInternet])
    /// Development and tests: also loopback and private networks (the sandbox, a local receiver) —
    /// never link-local or metadata addresses.
    public static let localDevelopment = OutboundAddressPolicy(allowed: [.publicInternet, .loopback, .privateNetwork])

    public func permits(_ address: String) -> Bool {
        guard let kind = AddressClass.classify(address) else { return false }
        return allowed.contains(kind)
    }

    /// A host name that is only ever an internal name (cloud metadata), refused before any lookup.
    public static func isMetadataName(_ host: String) -> Bool {
        let name = host.lowercased().trimmingSuffix(".")
        return name == "metadata" || name == "metadata.google.internal" || name == "metadata.goog"
            || name.hasSuffix(".internal")
                && name.hasPrefix("metadata")
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        var result = self
        while result.hasSuffix(suffix) { result.removeLast(suffix.count) }
        return result
    }
}
