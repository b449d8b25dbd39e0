import Foundation
import HTTP
import Platform
import Postgres
import ProviderKit
import Shared

/// Creating, capturing and canceling payments. Each flow writes its intent first (the payment row, or
/// `capturing`), with the idempotency key's recovery point, then calls the provider with an
/// idempotency key derived from the payment (`coffer-<id>`, `coffer-<id>-capture`, …), then applies
/// the answer. A crash between the steps is resumed by the client's retry of the same key or by the
/// resolver loop, and the provider's own idempotency makes the repeated call harmless: no money moves twice.
struct PaymentService: Sendable {
    let core: PaymentsCore

    static func providerKey(_ paymentID: String, _ operation: String? = nil) -> String {
        "coffer-" + paymentID + (operation.map { "-" + $0 } ?? "")
    }

    // MARK: Create

    func create(_ input: CreatePaymentRequest, request: RequestInfo) async throws -> HTTPResponse {
        if let token = request.token, let paymentID = token.recoveryPoint {
            return try await resumeCreate(paymentID, request: request)
        }
        let connectors = try await core.connectors.active(tenantID: request.tenantID, livemode: request.key.livemode)
        let candidates = input.provider.map { provider in connectors.filter { $0.provider == provider } } ?? connectors
        guard !candidates.isEmpty else {
            let what = input.provider.map { "\($0.rawValue) " } ?? ""
            throw HTTPError.badRequest("This tenant has no active \(request.key.livemode ? "live" : "test") \(what)connector; add one with PUT /v1/connectors/{provider}.",
                                       code: "no_connector", param: input.provider == nil ? nil : "provider")
        }
        let supported = candidates.filter { core.gateway.adapter(for: $0.provider) != nil }
        guard !supported.isEmpty else {
            let names = Set(candidates.map(\.provider.rawValue)).sorted().joined(separator: ", ")
            throw HTTPError.badRequest("Coffer cannot create payments through \(names) yet (it receives their webhooks only); add a Stripe, Razorpay or PayPal connector.",
                                       code: "provider_not_supported", param: input.provider == nil ? nil : "provider")
        }
        guard let connector = core.gateway.pick(supported, tenantID: request.tenantID) else {
            throw HTTPError.serviceUnavailable("Every connector that could take this payment is failing; retry shortly.",
                                               code: "provider_unavailable", retryAfterSeconds: 5)
        }
        let paymentID = CofferID.generate(.payment)
        // One round trip, one implicit transaction: the tenant setting, the payee check, the payment row
        // and the idempotency key's recovery point (set only if the payment was inserted).
        var statements: [PostgresQuery] = ["SELECT set_config('app.tenant_id', \(request.tenantID), true)"]
        let payeeCheck: PostgresQuery = """
            SELECT status, livemode FROM payments.payees WHERE tenant_id = \(request.tenantID) AND id = \(input.payeeID)
            """
        statements.append(payeeCheck.prepared())
        let insert: PostgresQuery = """
            INSERT INTO payments.payments AS p (id, tenant_id, livemode, amount, currency, status, capture_method, provider, connector_id,
                customer, payee_id, description, metadata, payment_method, return_url, created_by, created_at, updated_at)
            SELECT \(paymentID), \(request.tenantID), \(request.key.livemode), \(input.amount), \(input.currency.code), 'processing',
                \(input.captureMethod.rawValue), \(connector.provider.rawValue), \(connector.connectorID), \(input.customer?.jsonString)::jsonb,
                \(input.payeeID), \(input.description), \(input.metadata.jsonString)::jsonb, \(input.paymentMethod), \(input.returnURL),
                \(request.actor), now(), now()
            WHERE \(input.payeeID)::text IS NULL OR EXISTS (
                SELECT 1 FROM payments.payees e WHERE e.tenant_id = \(request.tenantID) AND e.id = \(input.payeeID) AND e.status = 'active'
                  AND e.livemode = \(request.key.livemode))
            RETURNING \(unsafeSQL: PaymentRecord.columns)
            """
        statements.append(insert.prepared())
        if let token = request.token { statements.append(core.idempotency.recoveryPointQuery(token, objectID: paymentID, in: "payments.payments")) }
        let results = try await core.database.pipeline(statements)
        guard let row = results[2].first else {
            // A payee of the other mode is, to this key, a payee that does not exist: test money never
            // reaches a live payee (nor live money a test one).
            guard let (status, livemode) = results[1].first.map({ try? $0.decode((String, Bool?).self) }) ?? nil,
                  livemode == nil || livemode == request.key.livemode
            else { throw HTTPError.badRequest("No such payee.", code: "unknown_payee", param: "payee_id") }
            guard livemode != nil else {
                throw HTTPError.serviceUnavailable("This payee's mode is not known here yet; retry shortly.", code: "payee_mode_unknown",
                                                   retryAfterSeconds: 5)
            }
            throw HTTPError.badRequest("The payee is \(status); it cannot be paid.", code: "payee_inactive", param: "payee_id")
        }
        request.token?.markEffectBegun()
        let payment = try PaymentRecord(row: row)
        return try await callCreate(payment, connector: connector, request: request)
    }

    /// The same key again after the first request died: finish what it started.
    func resumeCreate(_ paymentID: String, request: RequestInfo) async throws -> HTTPResponse {
        let payment = try await load(paymentID, tenantID: request.tenantID, livemode: nil)
        if payment.status == .processing, payment.providerPaymentID == nil, let connector = try await core.connector(for: payment) {
            request.logger.notice("resuming a payment creation after an interrupted request", ["payment_id": .string(paymentID)])
            return try await callCreate(payment, connector: connector, request: request)
        }
        return try await answer(payment, status: payment.status == .processing ? .accepted : .created, request: request)
    }

    private func callCreate(_ payment: PaymentRecord, connector: ProviderConnector, request: RequestInfo) async throws -> HTTPResponse {
        let providerRequest = ProviderPaymentRequest(
            paymentID: payment.id, amount: payment.money, captureMethod: payment.captureMethod, description: payment.description,
            customerEmail: payment.customer?["email"]?.stringValue, paymentMethod: payment.paymentMethod, returnURL: payment.returnURL,
            idempotencyKey: Self.providerKey(payment.id))
        let result: Result<ProviderPaymentState, ProviderError>
        do {
            result = .success(try await core.gateway.call("create_payment", tenantID: payment.tenantID, connector: connector) { adapter async throws(ProviderError) in
                try await adapter.createPayment(providerRequest, connector: connector)
            })
        } catch {
            result = .failure(error)
        }
        return try await settle(payment.id, result: result, operation: "create", request: request) { updated in
            updated.status == .processing ? .accepted : .created
        }
    }

    // MARK: Capture and cancel

    func capture(_ paymentID: String, amount: Int64?, request: RequestInfo) async throws -> HTTPResponse {
        let resuming = request.token?.recoveryPoint == paymentID
        let payment = try await core.database.tenantTransaction(request.tenantID) { connection -> PaymentRecord in
            guard var payment = try await PaymentRecord.load(paymentID, tenantID: request.tenantID, forUpdate: true, on: connection),
                  payment.livemode == request.key.livemode
            else { throw HTTPError.notFound("No such payment: \(paymentID)", param: "id") }
            if resuming, payment.status == .capturing { return payment }
            guard payment.status.canCapture else {
                throw HTTPError.conflict("This payment is \(payment.status.rawValue); only an authorized payment can be captured.")
            }
            guard payment.providerPaymentID != nil else {
                throw HTTPError.conflict("The provider has not confirmed this payment yet; retry shortly.")
            }
            if let amount, amount > payment.amountCapturable {
                throw HTTPError.badRequest("amount_to_capture exceeds the capturable amount (\(payment.amountCapturable)).",
                                           code: "amount_too_large", param: "amount_to_capture")
            }
            let before = payment.json
            payment.status = .capturing
            payment.captureRequested = amount
            payment = try await core.paymentEffects.save(payment, on: connection)
            try await core.audit.record(AuditEntry(tenantID: request.tenantID, actor: request.actor, action: "payment.capture_requested",
                                                   objectType: "payment", objectID: paymentID, before: before,
                                                   after: ["status": "capturing", "amount_to_capture": amount.map(JSONValue.int) ?? .null],
                                                   correlationID: request.correlationID), on: connection)
            if let token = request.token { try await core.idempotency.setRecoveryPoint(token, objectID: paymentID, on: connection) }
            return payment
        }
        return try await callCapture(payment, request: request)
    }

    func callCapture(_ payment: PaymentRecord, request: RequestInfo) async throws -> HTTPResponse {
        let amount = payment.captureRequested
        guard let connector = try await core.connector(for: payment), let providerID = payment.providerPaymentID else {
            throw PaymentsInvariantError("payment \(payment.id) is capturing without a connector or provider id")
        }
        let captureAmount = amount.map { Money(minorUnits: $0, currency: payment.currency) }
        let result: Result<ProviderPaymentState, ProviderError>
        do {
            result = .success(try await core.gateway.call("capture_payment", tenantID: payment.tenantID, connector: connector) { adapter async throws(ProviderError) in
                try await adapter.capturePayment(providerID, amount: captureAmount, idempotencyKey: Self.providerKey(payment.id, "capture"),
                                                 connector: connector)
            })
        } catch {
            result = .failure(error)
        }
        return try await settle(payment.id, result: result, operation: "capture", request: request) { updated in
            updated.status == .capturing ? .accepted : .ok
        }
    }

    func cancel(_ paymentID: String, request: RequestInfo) async throws -> HTTPResponse {
        let payment = try await core.database.tenantTransaction(request.tenantID) { connection -> PaymentRecord in
            guard let payment = try await PaymentRecord.load(paymentID, tenantID: request.tenantID, forUpdate: true, on: connection),
                  payment.livemode == request.key.livemode
            else { throw HTTPError.notFound("No such payment: \(paymentID)", param: "id") }
            if payment.status == .canceled { return payment }
            guard payment.status.canCancel else {
                throw HTTPError.conflict("This payment is \(payment.status.rawValue); it can no longer be canceled.")
            }
            guard payment.providerPaymentID != nil else {
                throw HTTPError.conflict("The provider has not confirmed this payment yet; retry shortly.")
            }
            try await core.audit.record(AuditEntry(tenantID: request.tenantID, actor: request.actor, action: "payment.cancel_requested",
                                                   objectType: "payment", objectID: paymentID, before: payment.json,
                                                   after: ["status": "canceled"], correlationID: request.correlationID), on: connection)
            if let token = request.token { try await core.idempotency.setRecoveryPoint(token, objectID: paymentID, on: connection) }
            return payment
        }
        if payment.status == .canceled { return try await answer(payment, status: .ok, request: request) }
        guard let connector = try await core.connector(for: payment), let providerID = payment.providerPaymentID else {
            throw PaymentsInvariantError("payment \(payment.id) has no connector")
        }
        let result: Result<ProviderPaymentState, ProviderError>
        do {
            result = .success(try await core.gateway.call("cancel_payment", tenantID: payment.tenantID, connector: connector) { adapter async throws(ProviderError) in
                try await adapter.cancelPayment(providerID, idempotencyKey: Self.providerKey(payment.id, "cancel"), connector: connector)
            })
        } catch {
            result = .failure(error)
        }
        return try await settle(payment.id, result: result, operation: "cancel", request: request) { updated in
            updated.status == .canceled ? .ok : (updated.status.awaitsOutcome ? .accepted : .conflict)
        }
    }

    // MARK: Applying answers

    /// Applies a provider call's result to the payment and stores the answer with the idempotency key,
    /// in one transaction. Unknown outcomes (timeouts, outages) leave the payment pending: the answer
    /// is 202 and the resolver finishes the job.
    private func settle(_ paymentID: String, result: Result<ProviderPaymentState, ProviderError>, operation: String, request: RequestInfo,
                        status: @Sendable (PaymentRecord) -> HTTPStatus) async throws -> HTTPResponse {
        let response = try await core.database.tenantTransaction(request.tenantID) { connection -> HTTPResponse in
            // The lock and the tenant's capture terms in one round trip; the effects, the events and the
            // stored answer in another.
            guard let (locked, terms) = try await PaymentRecord.lockWithTerms(paymentID, tenantID: request.tenantID, on: connection) else {
                throw PaymentsInvariantError("payment \(paymentID) vanished")
            }
            var response: HTTPResponse
            var stored = false
            switch result {
            case .success(let state):
                var answer = HTTPResponse.json(.ok, bytes: [])
                let idempotency = core.idempotency
                _ = try await core.paymentEffects.apply(ProviderObservation(state, source: "api"), to: locked, terms: terms,
                                                        correlationID: request.correlationID, logger: request.logger, on: connection) { updated in
                    let code = status(updated)
                    answer = code == .conflict
                        ? ErrorBody.response(status: .conflict, code: "invalid_state",
                                             message: "The provider reports this payment as \(updated.status.rawValue); it was not canceled.",
                                             requestID: request.requestID)
                        : .json(code, bytes: updated.json.serialized())
                    guard let token = request.token else { return [] }
                    return [idempotency.completeQuery(token, status: answer.status.code, body: answer.body)]
                }
                stored = true
                response = answer
            case .failure(let error) where ProviderRefusal.isFinal(error):
                request.logger.warning("provider refused", ["payment_id": .string(paymentID), "operation": .string(operation),
                                                            "error": .string(error.description)])
                var current = locked
                switch operation {
                case "create":
                    let observation = ProviderObservation(providerPaymentID: nil, status: .failed(code: error.code ?? error.kind.rawValue,
                                                                                                  message: error.message),
                                                          amountCaptured: nil, amountCapturable: nil, currency: nil, source: "api")
                    current = try await core.paymentEffects.apply(observation, to: locked, correlationID: request.correlationID,
                                                                  logger: request.logger, on: connection)
                case "capture" where locked.status == .capturing:
                    // The capture did not happen: the authorization stands and may be captured again.
                    var reverted = locked
                    reverted.status = .authorized
                    reverted.captureRequested = nil
                    current = try await core.paymentEffects.save(reverted, on: connection)
                default:
                    break
                }
                response = ProviderRefusal.response(error, object: ("payment", current.json), requestID: request.requestID)
            case .failure(let error):
                request.logger.warning("provider outcome unknown; the resolver will finish it", [
                    "payment_id": .string(paymentID), "operation": .string(operation), "error": .string(error.description)])
                // The resolver's clock starts now.
                try await connection.execute("UPDATE payments.payments SET updated_at = now() WHERE id = \(paymentID)")
                response = .json(status(locked) == .conflict ? .accepted : status(locked), bytes: locked.json.serialized())
            }
            if let token = request.token, !stored {
                try await core.idempotency.complete(token, status: response.status.code, body: response.body, on: connection)
            }
            return response
        }
        // Committed: the answer is stored with the key.
        request.token?.markCompleted()
        core.outbox.nudge()
        return response
    }

    private func answer(_ payment: PaymentRecord, status: HTTPStatus, request: RequestInfo) async throws -> HTTPResponse {
        let response = HTTPResponse.json(status, bytes: payment.json.serialized())
        if let token = request.token { try await core.idempotency.complete(token, status: status.code, body: response.body) }
        return response
    }

    // MARK: Reading

    /// A payment of the tenant in the key's mode (`livemode` nil: either, for background work). A test
    /// key never sees a live payment, as another tenant never sees this one: 404.
    func load(_ paymentID: String, tenantID: String, livemode: Bool?) async throws -> PaymentRecord {
        guard CofferID.isValid(paymentID, prefix: .payment),
              let payment = try await core.database.tenantTransaction(tenantID, { connection in
                  try await PaymentRecord.load(paymentID, tenantID: tenantID, on: connection)
              }),
              livemode == nil || payment.livemode == livemode
        else { throw HTTPError.notFound("No such payment: \(paymentID)", param: "id") }
        return payment
    }

    struct ListFilter: Sendable {
        var limit = 10
        var startingAfter: String?
        var status: String?
        var provider: String?
        var payeeID: String?
        var createdGTE: Date?
        var createdLT: Date?
    }

    func list(tenantID: String, livemode: Bool, filter: ListFilter) async throws -> [UInt8] {
        let rows = try await core.database.tenantTransaction(tenantID) { connection in
            try await connection.query("""
                SELECT \(unsafeSQL: PaymentRecord.columns) FROM payments.payments p
                WHERE p.tenant_id = \(tenantID) AND p.livemode = \(livemode)
                  AND (\(filter.startingAfter)::text IS NULL OR p.id < \(filter.startingAfter))
                  AND (\(filter.status)::text IS NULL OR p.status = \(filter.status))
                  AND (\(filter.provider)::text IS NULL OR p.provider = \(filter.provider))
                  AND (\(filter.payeeID)::text IS NULL OR p.payee_id = \(filter.payeeID))
                  AND (\(filter.createdGTE)::timestamptz IS NULL OR p.created_at >= \(filter.createdGTE))
                  AND (\(filter.createdLT)::timestamptz IS NULL OR p.created_at < \(filter.createdLT))
                ORDER BY p.id DESC LIMIT \(Int64(filter.limit + 1))
                """).map(PaymentRecord.init(row:))
        }
        return ListParameters.page(rows.prefix(filter.limit).map(\.json), hasMore: rows.count > filter.limit)
    }
}
