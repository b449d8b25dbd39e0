import Shared

/// Coffer's error shape, `{"error":{"code":…,"message":…,"request_id":…,"param":…}}`, written without
/// Foundation so the server can answer parse errors and overload cheaply.
public enum ErrorBody {
    public static func bytes(
        code: String, message: String, requestID: String? = nil, param: String? = nil,
        objects: [String: JSONValue] = [:]
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: 128)
        writer.raw("{\"error\":{\"code\":")
        writer.string(code)
        writer.raw(",\"message\":")
        writer.string(message)
        if let requestID {
            writer.raw(",\"request_id\":")
            writer.string(requestID)
        }
        if let param {
            writer.raw(",\"param\":")
            writer.string(param)
        }
        for (name, object) in objects.sorted(by: { $0.key < $1.key }) {
            writer.raw(",")
            writer.string(name)
            writer.raw(":")
            writer.value(object)
        }
        writer.raw("}}")
        return writer.bytes
    }

    public static func response(
        status: HTTPStatus, code: String, message: String, requestID: String? = nil,
        param: String? = nil, objects: [String: JSONValue] = [:]
    ) -> HTTPResponse {
        .json(status, bytes: bytes(code: code, message: message, requestID: requestID, param: param, objects: objects))
    }
}
