import HTTP
import Shared

/// The tiny pages a customer's browser sees at a simulated provider (3-D Secure, Checkout, PayPal
/// approval), and redirects back to the merchant.
enum CustomerPage {
    static func html(_ status: HTTPStatus, title: String, message: String) -> HTTPResponse {
        let page = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>\(escape(title))</title></head>
            <body style="font-family: sans-serif; max-width: 36em; margin: 4em auto">
            <p style="color: #888">Coffer provider sandbox</p>
            <h1>\(escape(title))</h1>
            <p>\(escape(message))</p>
            </body></html>
            """
        return .text(status, page, contentType: "text/html; charset=utf-8")
    }

    /// 302 to `url` with `parameters` appended to its query.
    static func redirect(to url: String, adding parameters: [(String, String)]) -> HTTPResponse {
        let query = parameters.map { escapeQuery($0.0) + "=" + escapeQuery($0.1) }.joined(separator: "&")
        let separator = url.contains("?") ? "&" : "?"
        return HTTPResponse(status: HTTPStatus(302), headers: ["Location": url + separator + query])
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "&": result += "&amp;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    static func escapeQuery(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                result.append(Character(UnicodeScalar(byte)))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (byte < 16 ? "0" : "") + hex
            }
        }
        return result
    }
}
