import Contracts
import Foundation
import Platform
import Postgres
import ProviderKit
import Shared

/// Works through `provider_events_awaiting`: unsigned callbacks are confirmed through the provider's
/// status API before anything moves (DESIGN.md), and events that matched no payment yet (a webhook
/// that beat the request creating the payment) are matched again. Rows are claimed with a lease
/// (`FOR UPDATE SKIP LOCKED`), so any number of replicas can run this; provider calls happen outside
/// any transaction. Events still unmatched after `maxUnmatchedAttempts` move to
/// `unmatched_provider_events` for an operator.
struct ParkedEventsWorker: Sendable {
    let core: PaymentsCore
    static let maxUnmatchedAttempts: Int32 = 10
    typealias Parked = ProviderEventStore.Parked

    private var logger: Logger { core.logger.with(["component": "parked-events"]) }

    var loop: PollingLoop {
        PollingLoop(name: "parked-provider-events", bell: core.confirmationBell, idle: .seconds(2), logger: core.logger)
        {
            try await round() ? .busy : .idle
        }
    }

    /// One batch; returns whether there was work.
    func round() async throws -> Bool {
        let claimed = try await core.database.platformTransaction { connection in
            try await core.awaiting.claim(on: connection)
        }
        for parked in claimed {
            do {
                try await process(parked)
            } catch {
                logger.warning(
                    "parked event failed; will retry",
                    ["event_id": .string(parked.eventID), "error": .string(String(describing: error))])
                try? await reschedule(parked, after: backoff(parked.attempts), note: nil)
            }
        }
        return !claimed.isEmpty
    }

    private func process(_ parked: Parked) async throws {
        if parked.reason == "needs_confirmation" {
            guard let (type, confirmed) = try await confirm(parked) else { return }
            try await applyTrusted(parked, type: type, data: confirmed)
        } else {
            try await applyTrusted(parked, type: parked.type, data: parked.data)
        }
    }

    /// Asks the provider what the callback claimed. Returns the confirmed facts, or nil when the row was
    /// rescheduled (no adapter yet, no such object, provider unavailable).
    private func confirm(_ parked: Parked) async throws -> (ProviderEventType, ProviderEventData)? {
        let data = parked.data
        guard let provider = ProviderName(rawValue: data.provider), core.gateway.adapter(for: provider) != nil else {
            // DESIGN.md: while a provider has no adapter, its unsigned callbacks wait here.
            try await reschedule(parked, after: .seconds(3600), note: "no_adapter")
            return nil
        }
        guard let connector = try await core.connector(id: data.connectorID, tenantID: parked.tenantID) else {
            try await resolve(parked, unmatchedReason: "connector \(data.connectorID) no longer exists")
            return nil
        }
        var confirmed = data
        confirmed.needsConfirmation = false
        do {
            switch parked.type {
            case .paymentAuthorized, .paymentCaptured, .paymentFailed:
                let state = try await core.gateway.call(
                    "fetch_payment", tenantID: parked.tenantID, connector: connector
                ) { adapter async throws(ProviderError) in
                    try await adapter.fetchPayment(
                        data.objectType == "payment" ? data.providerObjectID : (data.relatedProviderObjectID ?? ""),
                        connector: connector)
                }
                switch state.status {
                case .captured:
                    confirmed.amount = state.amountCaptured
                    return retype(confirmed, parked, .paymentCaptured)
                case .authorized:
                    confirmed.amount = state.amountCapturable
                    return retype(confirmed, parked, .paymentAuthorized)
                case .failed(let code, _):
                    confirmed.failureReason = code
                    return retype(confirmed, parked, .paymentFailed)
                case .processing, .requiresAction, .canceled:
                    logger.notice(
                        "provider does not confirm the callback yet",
                        ["event_id": .string(parked.eventID), "status": .string(state.rawStatus)])
                    try await reschedule(parked, after: backoff(parked.attempts), note: nil)
                    return nil
                }
            case .refundSucceeded, .refundFailed:
                let state = try await core.gateway.call("fetch_refund", tenantID: parked.tenantID, connector: connector)
                { adapter async throws(ProviderError) in
                    try await adapter.fetchRefund(data.providerObjectID, connector: connector)
                }
                guard state.status != .pending else {
                    try await reschedule(parked, after: backoff(parked.attempts), note: nil)
                    return nil
                }
                confirmed.amount = state.amount
                return retype(confirmed, parked, state.status == .succeeded ? .refundSucceeded : .refundFailed)
            case .disputeOpened, .payoutProcessed, .payoutFailed, .payoutReversed:
                try await reschedule(parked, after: .seconds(3600), note: "cannot_confirm")
                return nil
            }
        } catch let error as ProviderError where error.kind == .invalidRequest {
            try await resolve(
                parked, unmatchedReason: "the provider does not know \(data.providerObjectID): \(error.message)")
            return nil
        }
    }

    /// The confirmed type may differ from the callback's claim: the provider's answer wins.
    private func retype(_ data: ProviderEventData, _ parked: Parked, _ type: ProviderEventType) -> (
        ProviderEventType, ProviderEventData
    ) {
        if type != parked.type {
            logger.warning(
                "the provider's status differs from the callback",
                [
                    "event_id": .string(parked.eventID),
                    "claimed": .string(parked.type.rawValue),
                    "confirmed": .string(type.rawValue),
                ])
        }
        return (type, data)
    }

    private func applyTrusted(_ parked: Parked, type: ProviderEventType, data: ProviderEventData) async throws {
        let request = WorkRequest(tenantID: parked.tenantID, actor: "system:parked-events", correlationID: nil)
        let result = try await core.work.run(request) { work -> ProviderEventApplier.Result in
            let result = try await ProviderEventApplier(core: core).apply(
                type: type, data: data, tenantID: parked.tenantID, logger: logger,
                in: &work)
            if result == .applied { work.write(core.awaiting.resolveQuery(parked.eventID)) }
            return result
        }.value
        if case .unmatched(let reason) = result {
            if parked.attempts >= Self.maxUnmatchedAttempts {
                try await resolve(parked, unmatchedReason: reason)
            } else {
                try await reschedule(parked, after: backoff(parked.attempts), note: nil)
            }
        }
    }

    private func backoff(_ attempts: Int32) -> Duration { .seconds(min(600, 1 << min(Int(attempts), 10))) }

    private func reschedule(_ parked: Parked, after delay: Duration, note: String?) async throws {
        try await core.database.tenantTransaction(parked.tenantID) { connection in
            try await core.awaiting.reschedule(parked.eventID, after: delay, note: note, on: connection)
        }
    }

    /// Gives up on an event: an operator sees it in `unmatched_provider_events`.
    private func resolve(_ parked: Parked, unmatchedReason: String) async throws {
        logger.error(
            "provider event matches nothing; moved to unmatched_provider_events",
            [
                "event_id": .string(parked.eventID), "reason": .string(unmatchedReason),
            ])
        try await core.database.tenantTransaction(parked.tenantID) { connection in
            try await core.awaiting.giveUp(parked.eventID, reason: unmatchedReason, on: connection)
        }
    }
}
