import Foundation
import HTTP
import Shared

/// Reads the credentials providers' APIs take in `Authorization`.
enum AuthorizationHeader {
    /// `Bearer <token>`.
    static func bearer(_ headers: HTTPHeaders) -> String? {
        guard let value = headers["Authorization"] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// `Basic base64(user:password)`.
    static func basic(_ headers: HTTPHeaders) -> (user: String, password: String)? {
        guard let value = headers["Authorization"] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Base64.decode(parts[1].trimmingCharacters(in: .whitespaces)),
            let text = String(validating: decoded, as: UTF8.self)
        else { return nil }
        let pair = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard pair.count == 2 else { return nil }
        return (String(pair[0]), String(pair[1]))
    }
}
