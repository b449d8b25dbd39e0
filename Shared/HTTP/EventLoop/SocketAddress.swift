import CSystem

#if canImport(Glibc)
    import Glibc
#endif

/// An IPv4 or IPv6 socket address, copied out of a `sockaddr_storage`.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    var storage: sockaddr_storage
    var length: socklen_t

    public static func == (lhs: SocketAddress, rhs: SocketAddress) -> Bool { lhs.description == rhs.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    init?(pointer: UnsafePointer<sockaddr>, length: socklen_t) {
        var storage = sockaddr_storage()
        guard Int(length) <= MemoryLayout<sockaddr_storage>.size else { return nil }
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: Int(length)))
        }
        self.init(storage: storage, length: length)
    }

    public var family: Int32 { Int32(storage.ss_family) }

    /// The address as text, without the port (`127.0.0.1`, `::1`).
    public var ipAddress: String {
        var copy = storage
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        return withUnsafePointer(to: &copy) { pointer -> String in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                        var addr = v4.pointee.sin_addr
                        inet_ntop(AF_INET, &addr, &buffer, socklen_t(buffer.count))
                        return Self.string(fromCString: buffer)
                    }
                case AF_INET6:
                    return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                        var addr = v6.pointee.sin6_addr
                        inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count))
                        let text = Self.string(fromCString: buffer)
                        // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; report a.b.c.d.
                        return text.hasPrefix("::ffff:") && text.contains(".") ? String(text.dropFirst(7)) : text
                    }
                default:
                    return "unknown"
                }
            }
        }
    }

    static func string(fromCString buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    public var port: Int {
        var copy = storage
        return withUnsafePointer(to: &copy) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address -> Int in
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        Int(UInt16(bigEndian: $0.pointee.sin_port))
                    }
                case AF_INET6:
                    return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                        Int(UInt16(bigEndian: $0.pointee.sin6_port))
                    }
                default:
                    return 0
                }
            }
        }
    }

    public var description: String {
        family == AF_INET6 && !ipAddress.contains(".") ? "[\(ipAddress)]:\(port)" : "\(ipAddress):\(port)"
    }

    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var copy = storage
        return withUnsafePointer(to: &copy) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    /// Resolves `host` (a name or a literal) with getaddrinfo. Blocking: call off the event loop.
    static func resolve(host: String, port: Int, passive: Bool = false) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = passive ? AI_PASSIVE : 0
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &result)
        guard status == 0, let first = result else {
            throw ResolutionError(host: host, message: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(result) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = info.pointee.ai_addr,
                let socketAddress = SocketAddress(pointer: address, length: info.pointee.ai_addrlen)
            {
                addresses.append(socketAddress)
            }
            cursor = info.pointee.ai_next
        }
        // Prefer IPv4 first: local services and the sandbox listen on 127.0.0.1 by default.
        return addresses.filter { $0.family == AF_INET } + addresses.filter { $0.family != AF_INET }
    }
}

/// A host name that could not be resolved.
public struct ResolutionError: Error, Sendable, CustomStringConvertible {
    public let host: String
    public let message: String
    public var description: String { "cannot resolve \(host): \(message)" }
}
