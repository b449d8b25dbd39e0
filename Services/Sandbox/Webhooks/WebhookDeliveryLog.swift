import Shared
import Synchronization

/// What happened to each webhook the sandbox sent (or held, or dropped), newest last, for
/// `GET /_sandbox/webhooks`. Bounded: the oldest records are forgotten past `capacity`.
final class WebhookDeliveryLog: Sendable {
    enum Status: String, Sendable {
        case pending, held, delivered, failed, dropped, canceled
        /// The account has no webhook URL: nothing to send to.
        case noEndpoint = "no_endpoint"
    }

    struct Record: Sendable {
        let deliveryID: Int64
        let provider: SandboxProvider
        let accountID: String
        let eventID: String
        let eventType: String
        let groupKey: String
        /// 0 for the original, 1… for `webhook_duplicates` copies.
        let copy: Int
        let badSignature: Bool
        var status: Status
        var attempts = 0
        var lastStatusCode: Int?
        var lastError: String?
        var queuedAtMilliseconds: Int64
        var deliveredAtMilliseconds: Int64?

        var json: JSONValue {
            .object([
                "delivery_id": .int(deliveryID), "provider": .string(provider.rawValue),
                "account_id": .string(accountID),
                "event_id": .string(eventID), "event_type": .string(eventType), "group": .string(groupKey),
                "copy": .int(Int64(copy)), "bad_signature": .bool(badSignature), "status": .string(status.rawValue),
                "attempts": .int(Int64(attempts)), "last_status": lastStatusCode.map { .int(Int64($0)) } ?? .null,
                "last_error": lastError.map(JSONValue.string) ?? .null,
                "queued_at": .string(Timestamp.format(unixMilliseconds: queuedAtMilliseconds, fractional: true)),
                "delivered_at": deliveredAtMilliseconds.map {
                    .string(Timestamp.format(unixMilliseconds: $0, fractional: true))
                }
                    ?? .null,
            ])
        }
    }

    private struct State {
        var records: [Int64: Record] = [:]
        var nextID: Int64 = 1
        var oldest: Int64 = 1
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int = 50_000) {
        self.capacity = max(100, capacity)
    }

    func add(_ webhook: OutgoingWebhook, copy: Int, badSignature: Bool, status: Status) -> Int64 {
        let now = Timestamp.nowUnixMilliseconds()
        return state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.records[id] = Record(
                deliveryID: id, provider: webhook.provider, accountID: webhook.accountID, eventID: webhook.eventID,
                eventType: webhook.eventType, groupKey: webhook.groupKey, copy: copy, badSignature: badSignature,
                status: status, queuedAtMilliseconds: now)
            while state.records.count > capacity, state.oldest < state.nextID {
                state.records[state.oldest] = nil
                state.oldest += 1
            }
            return id
        }
    }

    func update(_ id: Int64, _ change: (inout Record) -> Void) {
        state.withLock { state in
            guard var record = state.records[id] else { return }
            change(&record)
            state.records[id] = record
        }
    }

    func list(provider: SandboxProvider?, eventType: String?, status: String?, accountID: String?) -> [Record] {
        state.withLock { state in
            state.records.values.filter { record in
                (provider == nil || record.provider == provider) && (eventType == nil || record.eventType == eventType)
                    && (status == nil || record.status.rawValue == status)
                    && (accountID == nil || record.accountID == accountID)
            }.sorted { $0.deliveryID < $1.deliveryID }
        }
    }

    func reset() {
        state.withLock { state in
            state.records.removeAll()
            state.oldest = state.nextID
        }
    }
}
