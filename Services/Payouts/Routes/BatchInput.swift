import Foundation
import HTTP
import Platform
import Shared

/// A payout batch's items, from JSON (`{"items":[{…}], "dry_run": true}`) or CSV (`Content-Type:
/// text/csv`, a header row naming `payee_id,amount,currency[,purpose,narration,scheduled_for]`). A dry run
/// is asked for with `"dry_run": true` or `?dry_run=true` (either, for both kinds of body; if both are
/// given they must agree). Every item is read; the errors of all of them are reported together.
struct BatchInput: Sendable {
    let maxItems: Int
    var items: [Batches.Item] = []
    var errors: [Batches.ItemError] = []
    var dryRun = false

    init(request: HTTPRequest, maxItems: Int) throws(HTTPError) {
        self.maxItems = maxItems
        var queryDryRun: Bool?
        if let text = request.queryParameters["dry_run"] {
            guard text == "true" || text == "false" else {
                throw HTTPError.badRequest("dry_run must be true or false.", param: "dry_run")
            }
            queryDryRun = text == "true"
        }
        let contentType = request.headers["Content-Type"]?.lowercased() ?? ""
        if contentType.hasPrefix("text/csv") {
            dryRun = queryDryRun ?? false
            try readCSV(request.bodyText)
        } else {
            let reader = try BodyReader(request.body, allowed: ["items", "dry_run"])
            let bodyDryRun = try reader.bool("dry_run")
            if let bodyDryRun, let queryDryRun, bodyDryRun != queryDryRun {
                throw HTTPError.badRequest("dry_run in the query and in the body disagree.", param: "dry_run")
            }
            dryRun = bodyDryRun ?? queryDryRun ?? false
            guard let list = reader.object["items"]?.arrayValue else {
                throw HTTPError.badRequest("items must be a list of payouts.", param: "items")
            }
            try checkCount(list.count)
            for (index, value) in list.enumerated() {
                do {
                    let itemReader = try BodyReader(
                        nested: value, name: "items[\(index)]", allowed: Payouts.NewPayout.fields)
                    items.append(
                        Batches.Item(
                            index: index, payout: try Payouts.NewPayout(reader: itemReader, param: "items[\(index)].")))
                } catch {
                    errors.append(
                        Batches.ItemError(index: index, code: error.code, message: error.message, param: error.param))
                }
            }
        }
    }

    private func checkCount(_ count: Int) throws(HTTPError) {
        guard count > 0 else { throw HTTPError.badRequest("A batch needs at least one item.", param: "items") }
        guard count <= maxItems else {
            throw HTTPError.badRequest(
                "A batch holds at most \(maxItems) items (split larger runs).", code: "batch_too_large", param: "items")
        }
    }

    private mutating func readCSV(_ text: String) throws(HTTPError) {
        var lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        }
        .filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw HTTPError.badRequest("The CSV is empty.", param: "items") }
        let header = Self.fields(lines.removeFirst()).map { $0.lowercased() }
        let allowed = Payouts.NewPayout.fields.subtracting(["metadata"])
        if let unknown = header.first(where: { !allowed.contains($0) }) {
            throw HTTPError.badRequest("Unknown CSV column: \(unknown).", code: "unknown_fields", param: unknown)
        }
        for required in ["payee_id", "amount", "currency"] where !header.contains(required) {
            throw HTTPError.badRequest("The CSV header must name \(required).", param: required)
        }
        try checkCount(lines.count)
        for (index, line) in lines.enumerated() {
            let values = Self.fields(line)
            guard values.count == header.count else {
                errors.append(
                    Batches.ItemError(
                        index: index, code: "invalid_row",
                        message: "Row \(index + 1) has \(values.count) fields; the header has \(header.count).",
                        param: nil))
                continue
            }
            var object: [String: JSONValue] = [:]
            for (name, value) in zip(header, values) where !value.isEmpty {
                object[name] = name == "amount" ? (Int64(value).map(JSONValue.int) ?? .string(value)) : .string(value)
            }
            do {
                let reader = try BodyReader(nested: .object(object), name: "items[\(index)]", allowed: allowed)
                items.append(
                    Batches.Item(index: index, payout: try Payouts.NewPayout(reader: reader, param: "items[\(index)]."))
                )
            } catch {
                errors.append(
                    Batches.ItemError(index: index, code: error.code, message: error.message, param: error.param))
            }
        }
    }

    /// One CSV line's fields (RFC 4180 quoting: `"a, b"`, `""` for a quote).
    static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = Array(line).makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current.trimmingCharacters(in: .whitespaces))
        return fields
    }
}
