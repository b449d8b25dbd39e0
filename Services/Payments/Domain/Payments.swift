import Contracts
import Foundation
import Platform
import Postgres
import ProviderKit
import Shared

/// Creating, capturing and canceling payments. Each flow writes its intent first (the payment row, or
/// `capturing`), with the idempotency key's recovery point, then calls the provider with an idempotency
/// key derived from the payment (`coffer-<id>`, `coffer-<id>-capture`, …), then applies the answer in a
/// unit of work that also stores the route's answer. A crash between the steps is resumed by the
/// client's retry of the same key or by the resolver loop, and the provider's own idempotency makes the
/// repeated call harmless: no money moves twice.
struct Payments: Sendable {
    let core: PaymentsCore

    typealias Answer = @Sendable (PaymentOutcome) -> StoredAnswer

    /// A payment as asked for (decoded by the route).
    struct NewPayment: Sendable {
        let amount: Int64
        let currency: Currency
        let captureMethod: CaptureMethod
        let provider: ProviderName?
        let customer: JSONValue?
        let payeeID: String?
        let description: String?
        let metadata: JSONValue
        let paymentMethod: String?
        let returnURL: String?
    }

    // MARK: Create

    func create(_ new: NewPayment, _ request: RequestInfo, answer: Answer? = nil) async throws -> Committed<
        PaymentOutcome
    > {
        if let paymentID = request.claim?.recoveryPoint {
            return try await resumeCreate(paymentID, request, answer: answer)
        }
        let connectors = try await core.connectors(tenantID: request.tenantID, livemode: request.livemode)
        let candidates = new.provider.map { provider in connectors.filter { $0.provider == provider } } ?? connectors
        guard !candidates.isEmpty else {
            let what = new.provider.map { "\($0.rawValue) " } ?? ""
            throw DomainError.invalid(
                "This tenant has no active \(request.livemode ? "live" : "test") \(what)connector; add one with PUT /v1/connectors/{provider}.",
                code: "no_connector", param: new.provider == nil ? nil : "provider")
        }
        let supported = candidates.filter { core.gateway.adapter(for: $0.provider) != nil }
        guard !supported.isEmpty else {
            let names = Set(candidates.map(\.provider.rawValue)).sorted().joined(separator: ", ")
            throw DomainError.invalid(
                "Coffer cannot create payments through \(names) yet (it receives their webhooks only); add a Stripe, Razorpay or PayPal connector.",
                code: "provider_not_supported", param: new.provider == nil ? nil : "provider")
        }
        guard let connector = core.gateway.pick(supported, tenantID: request.tenantID) else {
            throw DomainError.unavailable(
                "Every connector that could take this payment is failing; retry shortly.", code: "provider_unavailable",
                retryAfterSeconds: 5)
        }
        let intent = Payment(
            id: CofferID.generate(.payment), tenantID: request.tenantID, livemode: request.livemode, amount: new.amount,
            currency: new.currency,
            amountCapturable: 0, amountCaptured: 0, amountRefunded: 0, amountRefundReserved: 0, status: .processing,
            captureMethod: new.captureMethod, provider: connector.provider.rawValue, connectorID: connector.connectorID,
            providerPaymentID: nil,
            customer: new.customer, payeeID: new.payeeID, description: new.description, metadata: new.metadata,
            nextAction: nil, failureCode: nil,
            failureMessage: nil, createdBy: request.actor, createdAt: Date(), updatedAt: Date(), capturedAt: nil,
            fulfillment: nil,
            paymentMethod: new.paymentMethod, returnURL: new.returnURL, split: nil, captureRequested: nil,
            autoCaptureAt: nil)
        // One round trip: the tenant's scope, the payee check, the payment row and the recovery point.
        let (payeeCheck, insert) = core.payments.insertStatements(intent)
        let results = try await core.work.runOneTrip(
            request.work, [payeeCheck, insert], recoverAt: (intent.id, "payments.payments"))
        guard let row = results[1].first else {
            // A payee of the other mode is, to this key, a payee that does not exist: test money never
            // reaches a live payee (nor live money a test one).
            guard let (status, livemode) = results[0].first.map({ try? $0.decode((String, Bool?).self) }) ?? nil,
                livemode == nil || livemode == request.livemode
            else { throw DomainError.invalid("No such payee.", code: "unknown_payee", param: "payee_id") }
            guard livemode != nil else {
                throw DomainError.unavailable(
                    "This payee's mode is not known here yet; retry shortly.", code: "payee_mode_unknown",
                    retryAfterSeconds: 5)
            }
            throw DomainError.invalid(
                "The payee is \(status); it cannot be paid.", code: "payee_inactive", param: "payee_id")
        }
        return try await callCreate(try PaymentStore.payment(row), connector: connector, request, answer: answer)
    }

    /// The same key again after the first request died: finish what it started.
    func resumeCreate(_ paymentID: String, _ request: RequestInfo, answer: Answer?) async throws -> Committed<
        PaymentOutcome
    > {
        let payment = try await load(paymentID, tenantID: request.tenantID, livemode: nil)
        if payment.status == .processing, payment.providerPaymentID == nil,
            let connector = try await core.connector(for: payment)
        {
            request.logger.notice(
                "resuming a payment creation after an interrupted request", ["payment_id": .string(paymentID)])
            return try await callCreate(payment, connector: connector, request, answer: answer)
        }
        return .unrecorded(payment.status == .processing ? .pending(payment) : .settled(payment))
    }

    private func callCreate(
        _ payment: Payment, connector: ProviderConnector, _ request: RequestInfo,
        answer: Answer?
    ) async throws -> Committed<PaymentOutcome> {
        let providerRequest = ProviderPaymentRequest(
            paymentID: payment.id, amount: payment.money, captureMethod: payment.captureMethod,
            description: payment.description,
            customerEmail: payment.customer?["email"]?.stringValue, paymentMethod: payment.paymentMethod,
            returnURL: payment.returnURL,
            idempotencyKey: PaymentsCore.providerKey(payment.id))
        let result: Result<ProviderPaymentState, ProviderError>
        do {
            result = .success(
                try await core.gateway.call("create_payment", tenantID: payment.tenantID, connector: connector) {
                    adapter async throws(ProviderError) in
                    try await adapter.createPayment(providerRequest, connector: connector)
                })
        } catch {
            result = .failure(error)
        }
        return try await settle(payment.id, result: result, operation: .create, request, answer: answer)
    }

    // MARK: Capture and cancel

    func capture(_ paymentID: String, amount: Int64?, _ request: RequestInfo, answer: Answer? = nil) async throws
        -> Committed<PaymentOutcome>
    {
        let resuming = request.claim?.recoveryPoint == paymentID
        let payment = try await core.work.run(request.work) { work -> Payment in
            var payment = try await core.payment(paymentID, request, forUpdate: true, on: work.connection)
            if resuming, payment.status == .capturing { return payment }
            if let refusal = PaymentLifecycle.refusal(
                .capture, status: payment.status, providerConfirmed: payment.providerPaymentID != nil)
            {
                throw refusal
            }
            if let amount, amount > payment.amountCapturable {
                throw DomainError.invalid(
                    "amount_to_capture exceeds the capturable amount (\(payment.amountCapturable)).",
                    code: "amount_too_large", param: "amount_to_capture")
            }
            let before = payment.json
            payment.status = .capturing
            payment.captureRequested = amount
            payment = core.paymentEffects.save(payment, in: &work)
            work.audit(
                "payment.capture_requested", objectType: "payment", objectID: paymentID, before: before,
                after: ["status": "capturing", "amount_to_capture": amount.map(JSONValue.int) ?? .null])
            work.recover(at: paymentID)
            return payment
        }.value
        return try await callCapture(payment, request, answer: answer)
    }

    /// Sends a capture the payment records as in flight (a request, the auto-capture worker, the resolver).
    func callCapture(_ payment: Payment, _ request: RequestInfo, answer: Answer? = nil) async throws -> Committed<
        PaymentOutcome
    > {
        guard let connector = try await core.connector(for: payment), let providerID = payment.providerPaymentID else {
            throw DomainError.internalFailure("payment \(payment.id) is capturing without a connector or provider id")
        }
        let captureAmount = payment.captureRequested.map { Money(minorUnits: $0, currency: payment.currency) }
        let result: Result<ProviderPaymentState, ProviderError>
        do {
            result = .success(
                try await core.gateway.call("capture_payment", tenantID: payment.tenantID, connector: connector) {
                    adapter async throws(ProviderError) in
                    try await adapter.capturePayment(
                        providerID, amount: captureAmount,
                        idempotencyKey: PaymentsCore.providerKey(payment.id, "capture"),
                        connector: connector)
                })
        } catch {
            result = .failure(error)
        }
        return try await settle(payment.id, result: result, operation: .capture, request, answer: answer)
    }

    func cancel(_ paymentID: String, _ request: RequestInfo, answer: Answer? = nil) async throws -> Committed<
        PaymentOutcome
    > {
        let payment = try await core.work.run(request.work) { work -> Payment in
            let payment = try await core.payment(paymentID, request, forUpdate: true, on: work.connection)
            if payment.status == .canceled { return payment }
            if let refusal = PaymentLifecycle.refusal(
                .cancel, status: payment.status, providerConfirmed: payment.providerPaymentID != nil)
            {
                throw refusal
            }
            work.audit(
                "payment.cancel_requested", objectType: "payment", objectID: paymentID, before: payment.json,
                after: ["status": "canceled"])
            work.recover(at: paymentID)
            return payment
        }.value
        if payment.status == .canceled { return .unrecorded(.settled(payment)) }
        guard let connector = try await core.connector(for: payment), let providerID = payment.providerPaymentID else {
            throw DomainError.internalFailure("payment \(payment.id) has no connector")
        }
        let result: Result<ProviderPaymentState, ProviderError>
        do {
            result = .success(
                try await core.gateway.call("cancel_payment", tenantID: payment.tenantID, connector: connector) {
                    adapter async throws(ProviderError) in
                    try await adapter.cancelPayment(
                        providerID, idempotencyKey: PaymentsCore.providerKey(payment.id, "cancel"), connector: connector
                    )
                })
        } catch {
            result = .failure(error)
        }
        return try await settle(payment.id, result: result, operation: .cancel, request, answer: answer)
    }

    // MARK: Applying answers

    enum Operation: Sendable {
        case create, capture, cancel
    }

    /// What an operation's result means for its answer once the payment is as the provider says.
    static func outcome(_ payment: Payment, after operation: Operation) -> PaymentOutcome {
        switch operation {
        case .create: payment.status == .processing ? .pending(payment) : .settled(payment)
        case .capture: payment.status == .capturing ? .pending(payment) : .settled(payment)
        case .cancel:
            payment.status == .canceled
                ? .settled(payment)
                : payment.status.awaitsOutcome
                    ? .pending(payment)
                    : .refused(
                        DomainError.conflict(
                            "The provider reports this payment as \(payment.status.rawValue); it was not canceled."))
        }
    }

    /// Applies a provider call's result to the payment and stores the answer with the idempotency key, in
    /// one unit of work. Unknown outcomes (timeouts, outages) leave the payment pending: the answer says
    /// so and the resolver finishes the job.
    private func settle(
        _ paymentID: String, result: Result<ProviderPaymentState, ProviderError>, operation: Operation,
        _ request: RequestInfo,
        answer: Answer?
    ) async throws -> Committed<PaymentOutcome> {
        try await core.work.run(request.work, answer: answer) { work -> PaymentOutcome in
            // The lock and the tenant's capture terms in one round trip; the effects, the events and the
            // stored answer in another.
            guard
                let (locked, terms) = try await core.payments.lockWithTerms(
                    paymentID, tenantID: request.tenantID, on: work.connection)
            else {
                throw DomainError.internalFailure("payment \(paymentID) vanished")
            }
            switch result {
            case .success(let state):
                let updated = try await core.paymentEffects.apply(
                    ProviderObservation(state, source: "api"), to: locked, terms: terms,
                    logger: request.logger, in: &work)
                return Self.outcome(updated, after: operation)
            case .failure(let error) where ProviderRefusal.isFinal(error):
                request.logger.warning(
                    "provider refused",
                    [
                        "payment_id": .string(paymentID), "operation": .string("\(operation)"),
                        "error": .string(error.description),
                    ])
                var current = locked
                switch operation {
                case .create:
                    let observation = ProviderObservation(
                        providerPaymentID: nil,
                        status: .failed(
                            code: error.code ?? error.kind.rawValue,
                            message: error.message),
                        amountCaptured: nil, amountCapturable: nil, currency: nil, source: "api")
                    current = try await core.paymentEffects.apply(
                        observation, to: locked, logger: request.logger, in: &work)
                case .capture where locked.status == .capturing:
                    // The capture did not happen: the authorization stands and may be captured again.
                    current.status = .authorized
                    current.captureRequested = nil
                    current = core.paymentEffects.save(current, in: &work)
                default:
                    break
                }
                return .refused(ProviderRefusal.error(error, object: "payment", json: current.json))
            case .failure(let error):
                request.logger.warning(
                    "provider outcome unknown; the resolver will finish it",
                    [
                        "payment_id": .string(paymentID), "operation": .string("\(operation)"),
                        "error": .string(error.description),
                    ])
                // The resolver's clock starts now.
                work.write(core.payments.touchQuery(paymentID))
                if case .refused = Self.outcome(locked, after: operation) { return .pending(locked) }
                return Self.outcome(locked, after: operation)
            }
        }
    }

    // MARK: Reading

    /// A payment of the tenant in the key's mode (`livemode` nil: either, for background work). A test
    /// key never sees a live payment, as another tenant never sees this one: not found.
    func load(_ paymentID: String, tenantID: String, livemode: Bool?) async throws -> Payment {
        guard CofferID.isValid(paymentID, prefix: .payment),
            let payment = try await core.database.tenantTransaction(
                tenantID,
                { connection in
                    try await core.payments.load(paymentID, tenantID: tenantID, on: connection)
                }),
            livemode == nil || payment.livemode == livemode
        else { throw DomainError.notFound("No such payment: \(paymentID)", param: "id") }
        return payment
    }

    func list(tenantID: String, livemode: Bool, filter: PaymentStore.Filter) async throws -> (
        payments: [Payment], hasMore: Bool
    ) {
        let rows = try await core.database.tenantTransaction(tenantID) { connection in
            try await core.payments.list(tenantID: tenantID, livemode: livemode, filter: filter, on: connection)
        }
        return (Array(rows.prefix(filter.limit)), rows.count > filter.limit)
    }
}
