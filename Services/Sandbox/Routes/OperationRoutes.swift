import HTTP
import Shared

/// The proof that nothing was done twice: `GET /_sandbox/operations` lists every provider-side
/// operation that executed (never replays), `GET /_sandbox/operations/summary` counts them and
/// flags any idempotency key or Coffer id executed more than once.
enum OperationRoutes {
    static func register(on router: Router, operations: OperationLog) {
        router.get("/_sandbox/operations") { request, _ in
            let query = request.queryParameters
            let filter = try filter(query)
            var listed = operations.list(filter)
            if let limitText = query["limit"] {
                guard let limit = Int(limitText), limit > 0 else {
                    throw HTTPError.badRequest("`limit` must be a positive integer.", param: "limit")
                }
                listed = Array(listed.suffix(limit))
            }
            return ControlBody.json(
                .object([
                    "object": "list", "count": .int(Int64(listed.count)),
                    "last_sequence": listed.last.map { .int($0.sequence) } ?? .null,
                    "data": .array(listed.map(\.json)),
                ]))
        }
        router.get("/_sandbox/operations/summary") { request, _ in
            let query = request.queryParameters
            let listed = operations.list(try filter(query))
            let allKeys = query["all_keys"] == "true"
            return ControlBody.json(OperationSummary.make(listed, keyLimit: allKeys ? nil : 10_000))
        }
    }

    /// `provider`, `kind`, `coffer_id`, `object_id`, and `since`: a sequence number (operations after
    /// it) or an RFC 3339 time (operations at or after it).
    private static func filter(_ query: [String: String]) throws(HTTPError) -> OperationLog.Filter {
        var filter = OperationLog.Filter()
        if let name = query["provider"], !name.isEmpty {
            guard let provider = SandboxProvider(name: name) else {
                throw .badRequest("Unknown provider \"\(name)\".", param: "provider")
            }
            filter.provider = provider
        }
        if let kind = query["kind"], !kind.isEmpty { filter.kind = kind }
        if let cofferID = query["coffer_id"], !cofferID.isEmpty { filter.cofferID = cofferID }
        if let objectID = query["object_id"], !objectID.isEmpty { filter.objectID = objectID }
        if let since = query["since"], !since.isEmpty {
            if let sequence = Int64(since) {
                filter.afterSequence = sequence
            } else if let date = Timestamp.parse(since) {
                filter.sinceMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
            } else {
                throw .badRequest("`since` must be a sequence number or an RFC 3339 time.", param: "since")
            }
        }
        return filter
    }
}
