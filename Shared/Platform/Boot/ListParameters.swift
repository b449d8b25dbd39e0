import HTTP
import Shared

/// Stripe-shaped lists: `limit` (1…100, default 10) and `starting_after`, newest first,
/// `{"object":"list","data":[…],"has_more":…}`.
public enum ListParameters {
    public static func limit(_ query: [String: String], default defaultLimit: Int = 10) throws -> Int {
        guard let text = query["limit"] else { return defaultLimit }
        guard let value = Int(text), (1...100).contains(value) else {
            throw HTTPError.badRequest(
                "limit must be an integer from 1 to 100.", code: "invalid_parameter", param: "limit")
        }
        return value
    }

    public static func page(_ items: [JSONValue], hasMore: Bool) -> [UInt8] {
        JSONValue.object(["object": "list", "data": .array(items), "has_more": .bool(hasMore)]).serialized()
    }
}
