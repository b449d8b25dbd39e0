/// Where a relay finds what to deliver: a table with one row per (event, subscriber), and the SQL
/// that names its columns. `outbox(schema:)` is the standard outbox; a service may keep delivery
/// state on its own event rows instead (ingress does: one subscriber per event, one row to write).
/// Every fragment is SQL written in code, never input.
public struct DeliveryTable: Sendable {
    public let table: String
    /// Increasing within an ordering key (the delivery order), and the row's key.
    public let idColumn: String
    /// `bigint` or `text`: the type of `idColumn`, for `= ANY($1::<type>[])`.
    public let idType: String
    public let eventIDColumn: String
    public let subscriberColumn: String
    public let orderingKeyColumn: String
    public let statusColumn: String
    public let attemptsColumn: String
    public let nextAttemptColumn: String
    public let errorColumn: String
    public let deliveredAtColumn: String
    /// An expression giving the envelope JSON text to send.
    public let payloadExpression: String

    public init(
        table: String, idColumn: String, idType: String, eventIDColumn: String, subscriberColumn: String,
        orderingKeyColumn: String, statusColumn: String, attemptsColumn: String, nextAttemptColumn: String,
        errorColumn: String, deliveredAtColumn: String, payloadExpression: String
    ) {
        self.table = table
        self.idColumn = idColumn
        self.idType = idType
        self.eventIDColumn = eventIDColumn
        self.subscriberColumn = subscriberColumn
        self.orderingKeyColumn = orderingKeyColumn
        self.statusColumn = statusColumn
        self.attemptsColumn = attemptsColumn
        self.nextAttemptColumn = nextAttemptColumn
        self.errorColumn = errorColumn
        self.deliveredAtColumn = deliveredAtColumn
        self.payloadExpression = payloadExpression
    }

    /// The standard `<schema>.outbox` (see `OutboxSchema`).
    public static func outbox(schema: String) -> DeliveryTable {
        DeliveryTable(
            table: "\(schema).outbox", idColumn: "seq", idType: "bigint", eventIDColumn: "event_id",
            subscriberColumn: "subscriber", orderingKeyColumn: "ordering_key", statusColumn: "status",
            attemptsColumn: "attempts", nextAttemptColumn: "next_attempt_at", errorColumn: "last_error",
            deliveredAtColumn: "delivered_at", payloadExpression: "payload")
    }
}
