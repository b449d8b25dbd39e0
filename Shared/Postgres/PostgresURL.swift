/// Small operations on libpq connection strings that Coffer needs without a full parser: hiding the
/// password for logs and pointing a URL at another database (tests create one database per case).
public enum PostgresURL {
    /// `postgresql://user:secret@host/db` → `postgresql://user:***@host/db`; a `password=` key in the
    /// URI query or in a `key=value` connection string is masked too.
    public static func redactingPassword(_ url: String) -> String {
        guard let parts = URIParts(url) else { return maskKeyValuePassword(url) }
        var out = parts.scheme + "://"
        if let user = parts.user {
            out += user
            if parts.password != nil { out += ":***" }
            out += "@"
        }
        out += parts.hosts + parts.path
        if let query = parts.query { out += "?" + maskKeyValuePassword(query, separator: "&") }
        return out
    }

    /// The same URI with its database name replaced; nil when `url` is not a `postgres(ql)://` URI.
    public static func replacingDatabase(in url: String, with database: String) -> String? {
        guard var parts = URIParts(url) else { return nil }
        parts.path = "/" + percentEncode(database)
        return parts.rebuilt
    }

    /// The database name in a URI, if it names one.
    public static func database(in url: String) -> String? {
        guard let parts = URIParts(url), parts.path.count > 1 else { return nil }
        return String(parts.path.dropFirst()).removingPercentEncodingIfValid
    }

    /// The user name in a URI, if it names one.
    public static func user(in url: String) -> String? {
        URIParts(url)?.user.map { $0.removingPercentEncodingIfValid }
    }

    static func maskKeyValuePassword(_ text: String, separator: Character = " ") -> String {
        text.split(separator: separator, omittingEmptySubsequences: false).map { item -> String in
            let trimmed = item.drop { $0 == " " }
            guard trimmed.lowercased().hasPrefix("password") else { return String(item) }
            let rest = trimmed.dropFirst("password".count).drop { $0 == " " }
            guard rest.first == "=" else { return String(item) }
            return "password=***"
        }.joined(separator: String(separator))
    }

    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(digits[Int(byte >> 4)])
                out.unicodeScalars.append(digits[Int(byte & 0x0F)])
            }
        }
        return out
    }
}

/// `scheme://[user[:password]@]hosts[/path][?query]`, split without decoding.
struct URIParts {
    var scheme: String
    var user: String?
    var password: String?
    var hosts: String
    var path: String
    var query: String?

    init?(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        scheme = String(url[..<schemeEnd.lowerBound])
        guard scheme == "postgresql" || scheme == "postgres" else { return nil }
        var rest = url[schemeEnd.upperBound...]
        if let questionMark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: questionMark)...])
            rest = rest[..<questionMark]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        path = String(rest[authorityEnd...])
        let authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                user = String(userInfo[..<colon])
                password = String(userInfo[userInfo.index(after: colon)...])
            } else {
                user = String(userInfo)
            }
            hosts = String(authority[authority.index(after: at)...])
        } else {
            hosts = String(authority)
        }
    }

    var rebuilt: String {
        var out = scheme + "://"
        if let user {
            out += user
            if let password { out += ":" + password }
            out += "@"
        }
        out += hosts + path
        if let query { out += "?" + query }
        return out
    }
}

extension String {
    /// Decodes `%XX` escapes; returns the text unchanged when an escape is malformed.
    var removingPercentEncodingIfValid: String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { return self }
            bytes.append(value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
