import HTTP
import Shared

extension Committed {
    /// The route's answer: the one the unit of work stored with the idempotency key (marked, so the
    /// middleware writes nothing more), or `make`'s when nothing was stored. Both are the same bytes
    /// when both exist: the route supplied `answer` to the unit of work.
    public func response(_ make: (T) -> HTTPResponse) -> HTTPResponse {
        guard let answer else { return make(value) }
        return .recorded(answer)
    }
}

extension HTTPResponse {
    /// A stored answer as a response, marked as already recorded with the idempotency key.
    public static func recorded(_ answer: StoredAnswer) -> HTTPResponse {
        var response = HTTPResponse.json(HTTPStatus(answer.status), bytes: answer.body)
        response[IdempotencyRecorded.self] = true
        return response
    }

}

extension StoredAnswer {
    /// The answer a key keeps for a JSON object with this status.
    public static func json(_ status: HTTPStatus, _ value: JSONValue) -> StoredAnswer {
        StoredAnswer(status: status.code, body: value.serialized())
    }
}
