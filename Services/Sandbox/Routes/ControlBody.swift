import HTTP
import Shared

/// Control API request bodies: JSON objects, empty meaning `{}`.
enum ControlBody {
    static func object(_ request: HTTPRequest) throws(HTTPError) -> JSONValue {
        if request.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .object([:]) }
        guard let value = try? JSONValue.parse(request.body), case .object = value else {
            throw .badRequest("The body must be a JSON object.")
        }
        return value
    }

    static func json(_ value: JSONValue, status: HTTPStatus = .ok) -> HTTPResponse {
        .json(status, bytes: value.serialized())
    }
}
