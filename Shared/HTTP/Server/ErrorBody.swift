import Shared

/// Coffer's error shape, `{"error":{"code":…,"message":…,"request_id":…,"param":…}}`, written without
/// Foundation so the server can answer parse errors and overload cheaply.
public enum ErrorBody {
    public static func bytes(code: String, message: String, requestID: String? = nil, param: String? = nil) -> [UInt8] {
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
        writer.raw("}}")
        return writer.bytes
    }

    public static func response(status: HTTPStatus, code: String, message: String, requestID: String? = nil,
                                param: String? = nil) -> HTTPResponse {
        .json(status, bytes: bytes(code: code, message: message, requestID: requestID, param: param))
    }
}
