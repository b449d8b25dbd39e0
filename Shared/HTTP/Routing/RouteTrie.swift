/// Path templates (`/v1/payments/{id}/capture`) compiled into a trie of segments. Literal segments
/// win over parameters; parameter values are percent-decoded.
struct RouteTrie<Route> {
    final class Node {
        var literals: [Substring: Node] = [:]
        var parameter: (name: String, node: Node)?
        var routes: [HTTPMethod: Route] = [:]
    }

    enum Match {
        case found(Route, parameters: [String: String])
        case methodNotAllowed(allowed: [HTTPMethod])
        case notFound
    }

    private let root = Node()

    /// Adds a route. A template reusing a parameter position with another name is a programming error.
    func insert(_ method: HTTPMethod, template: String, route: Route) {
        var node = root
        for segment in Self.segments(template) {
            if segment.hasPrefix("{"), segment.hasSuffix("}") {
                let name = String(segment.dropFirst().dropLast())
                if let existing = node.parameter {
                    precondition(
                        existing.name == name,
                        "route \(template): parameter {\(name)} conflicts with {\(existing.name)}")
                    node = existing.node
                } else {
                    let child = Node()
                    node.parameter = (name, child)
                    node = child
                }
            } else {
                if let child = node.literals[segment] {
                    node = child
                } else {
                    let child = Node()
                    node.literals[segment] = child
                    node = child
                }
            }
        }
        precondition(node.routes[method] == nil, "duplicate route \(method) \(template)")
        node.routes[method] = route
    }

    func match(_ method: HTTPMethod, path: Substring) -> Match {
        var node = root
        var parameters: [String: String] = [:]
        for segment in Self.segments(path) {
            if let child = node.literals[segment] {
                node = child
            } else if let (name, child) = node.parameter, !segment.isEmpty,
                let value = PercentDecoding.decode(segment)
            {
                parameters[name] = value
                node = child
            } else {
                return .notFound
            }
        }
        if let route = node.routes[method] { return .found(route, parameters: parameters) }
        // HEAD is answered by the GET route (the server drops the body).
        if method == .HEAD, let route = node.routes[.GET] { return .found(route, parameters: parameters) }
        if node.routes.isEmpty { return .notFound }
        var allowed = Array(node.routes.keys)
        if allowed.contains(.GET) { allowed.append(.HEAD) }
        return .methodNotAllowed(allowed: allowed.sorted { $0.rawValue < $1.rawValue })
    }

    /// Splits on "/", ignoring one trailing slash. Empty inner segments ("//") are kept, and never match.
    static func segments<S: StringProtocol>(_ path: S) -> [Substring] where S.SubSequence == Substring {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.first == "" { parts.removeFirst() }
        if parts.last == "", !parts.isEmpty { parts.removeLast() }
        return parts
    }
}
