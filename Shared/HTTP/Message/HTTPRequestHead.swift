/// The request line and header block of one request, as the parser produced them.
public struct HTTPRequestHead: Sendable {
    public var method: HTTPMethod
    /// The request target exactly as received (origin-form `/path?query` in practice).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders

    public init(method: HTTPMethod, target: String, version: HTTPVersion, headers: HTTPHeaders) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// The path part of the target (before `?`), not percent-decoded.
    public var path: Substring {
        if let question = target.firstIndex(of: "?") { return target[..<question] }
        return target[...]
    }

    /// The query part of the target (after `?`), if any.
    public var query: Substring? {
        guard let question = target.firstIndex(of: "?") else { return nil }
        return target[target.index(after: question)...]
    }

    /// RFC 9112 §9.3: HTTP/1.1 is persistent unless `Connection: close`; HTTP/1.0 only with keep-alive.
    public var keepAlive: Bool {
        if version.major == 1, version.minor >= 1 {
            return !headers.containsToken("close", in: "Connection")
        }
        return headers.containsToken("keep-alive", in: "Connection")
    }

    /// `Expect: 100-continue` was sent.
    public var expectsContinue: Bool {
        headers["Expect"]?.lowercased() == "100-continue"
    }
}

/// The status line and header block of one response.
public struct HTTPResponseHead: Sendable {
    public var version: HTTPVersion
    public var status: HTTPStatus
    public var headers: HTTPHeaders

    public init(version: HTTPVersion = .http1_1, status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders()) {
        self.version = version
        self.status = status
        self.headers = headers
    }

    public var keepAlive: Bool {
        if version.major == 1, version.minor >= 1 {
            return !headers.containsToken("close", in: "Connection")
        }
        return headers.containsToken("keep-alive", in: "Connection")
    }
}
