import Foundation
import Shared

/// An event between services (DESIGN.md):
/// `{"id":"evt_…","type":"payment.captured","source":"payments","tenant_id":"ten_…","occurred_at":"…","correlation_id":"…","data":{…}}`.
/// What a provider reported is named `provider.<type>` with source `ingress`; Coffer's own state
/// changes carry plain names and the owning service as source.
public struct EventEnvelope: Sendable, Equatable {
    public var id: String
    public var type: String
    public var source: String
    public var tenantID: String?
    public var occurredAt: Date
    public var correlationID: String?
    public var data: JSONValue

    public init(
        id: String = CofferID.generate(.event), type: String, source: String, tenantID: String?,
        occurredAt: Date = Date(), correlationID: String?, data: JSONValue
    ) {
        self.id = id
        self.type = type
        self.source = source
        self.tenantID = tenantID
        self.occurredAt = occurredAt
        self.correlationID = correlationID
        self.data = data
    }

    /// The envelope as a JSON value (exact: `data` is carried as parsed).
    public var jsonValue: JSONValue {
        .object([
            "id": .string(id), "type": .string(type), "source": .string(source),
            "tenant_id": tenantID.map(JSONValue.string) ?? .null,
            "occurred_at": .string(Timestamp.rfc3339Milliseconds(occurredAt)),
            "correlation_id": correlationID.map(JSONValue.string) ?? .null,
            "data": data,
        ])
    }

    /// Reads an envelope; `nil` names the first missing or malformed field.
    public init(json: JSONValue) throws(EventEnvelopeError) {
        guard case .object = json else { throw EventEnvelopeError(field: "(envelope)") }
        guard let id = json["id"]?.stringValue, CofferID.isValid(id, prefix: .event) else {
            throw EventEnvelopeError(field: "id")
        }
        guard let type = json["type"]?.stringValue, !type.isEmpty, type.utf8.count <= 100 else {
            throw EventEnvelopeError(field: "type")
        }
        guard let source = json["source"]?.stringValue, !source.isEmpty else {
            throw EventEnvelopeError(field: "source")
        }
        guard let occurred = json["occurred_at"]?.stringValue, let occurredAt = Timestamp.parse(occurred) else {
            throw EventEnvelopeError(field: "occurred_at")
        }
        let tenant = json["tenant_id"]
        guard tenant == nil || tenant == .null || tenant?.stringValue != nil else {
            throw EventEnvelopeError(field: "tenant_id")
        }
        guard let data = json["data"], case .object = data else { throw EventEnvelopeError(field: "data") }
        self.init(
            id: id, type: type, source: source, tenantID: tenant?.stringValue, occurredAt: occurredAt,
            correlationID: json["correlation_id"]?.stringValue, data: data)
    }

    /// Writes an envelope around `data`, already JSON (keys in the same sorted order as `jsonValue`).
    public static func write(
        id: String, type: String, source: String, tenantID: String?, occurredAt: Date,
        correlationID: String?, dataJSON: [UInt8], into writer: inout JSONWriter
    ) {
        writer.raw("{\"correlation_id\":")
        if let correlationID { writer.string(correlationID) } else { writer.null() }
        writer.raw(",\"data\":")
        writer.bytes.append(contentsOf: dataJSON)
        writer.raw(",\"id\":")
        writer.string(id)
        writer.raw(",\"occurred_at\":")
        writer.string(Timestamp.rfc3339Milliseconds(occurredAt))
        writer.raw(",\"source\":")
        writer.string(source)
        writer.raw(",\"tenant_id\":")
        if let tenantID { writer.string(tenantID) } else { writer.null() }
        writer.raw(",\"type\":")
        writer.string(type)
        writer.raw("}")
    }

    /// A batch as `POST /internal/events` takes it: a JSON array of envelopes.
    public static func encodeBatch(_ events: [EventEnvelope]) -> [UInt8] {
        JSONValue.array(events.map(\.jsonValue)).serialized()
    }

    public static func decodeBatch(_ bytes: [UInt8]) throws -> [EventEnvelope] {
        guard case .array(let items) = try JSONValue.parse(bytes) else { throw EventEnvelopeError(field: "(batch)") }
        return try items.map { try EventEnvelope(json: $0) }
    }
}

/// A malformed envelope; names the field, never echoes its value.
public struct EventEnvelopeError: Error, Sendable, CustomStringConvertible {
    public let field: String
    public var description: String { "event envelope has a missing or invalid \(field)" }
}
