import XCTest

@testable import Payments

/// Every (status, event) pair of the payment and refund machines, against tables written out here —
/// independently of the code — so a change to any rule is a change to a row.
final class PaymentLifecycleTests: XCTestCase {
    /// What a provider's news makes of a payment: a short name per outcome.
    private func outcome(_ transition: PaymentTransition) -> String {
        switch transition {
        case .requiresAction: "requires_action"
        case .authorize: "authorize"
        case .capture: "capture"
        case .fail: "fail"
        case .cancel: "cancel"
        case .unchanged: "unchanged"
        case .stale: "stale"
        }
    }

    func testProviderNewsAgainstEveryPaymentStatus() {
        let open: [PaymentStatus] = [.requiresAction, .processing, .authorized, .capturing]
        let captured: [PaymentStatus] = [.captured, .partiallyRefunded, .refunded]
        // observed → (statuses → outcome); a status not named is "stale".
        let table: [(ProviderPaymentState.Status, [PaymentStatus: String])] = [
            (.processing, Dictionary(uniqueKeysWithValues: PaymentStatus.allCases.map { ($0, "unchanged") })),
            (
                .requiresAction(url: "https://pay.example/1"),
                [.processing: "requires_action", .requiresAction: "unchanged"]
            ),
            (
                .authorized,
                [
                    .processing: "authorize", .requiresAction: "authorize", .authorized: "unchanged",
                    .capturing: "unchanged",
                ]
            ),
            // A capture the provider reports is always believed, even after Coffer failed or canceled it.
            (
                .captured,
                Dictionary(
                    uniqueKeysWithValues: (open + [.failed, .canceled]).map { ($0, "capture") }
                        + captured.map { ($0, "unchanged") })
            ),
            (
                .failed(code: "card_declined", message: nil),
                Dictionary(uniqueKeysWithValues: open.map { ($0, "fail") } + [(.failed, "unchanged")])
            ),
            (.canceled, Dictionary(uniqueKeysWithValues: open.map { ($0, "cancel") } + [(.canceled, "unchanged")])),
        ]
        for (observed, expected) in table {
            for status in PaymentStatus.allCases {
                let decided = PaymentTransition.decide(
                    current: status, observed: observed, amountCaptured: 500, amountCapturable: 700)
                XCTAssertEqual(outcome(decided), expected[status] ?? "stale", "\(observed) when \(status)")
            }
        }
        // The amounts travel with the decision: what the provider captured, what it holds.
        XCTAssertEqual(
            PaymentTransition.decide(current: .failed, observed: .captured, amountCaptured: 500, amountCapturable: 0),
            .capture(amount: 500))
        XCTAssertEqual(
            PaymentTransition.decide(
                current: .processing, observed: .authorized, amountCaptured: 0, amountCapturable: 700),
            .authorize(capturable: 700))
    }

    func testCaptureAndCancelRequestsAgainstEveryStatus() {
        for status in PaymentStatus.allCases {
            for confirmed in [true, false] {
                let capture = PaymentLifecycle.refusal(.capture, status: status, providerConfirmed: confirmed)
                XCTAssertEqual(
                    capture == nil, status == .authorized && confirmed, "capture when \(status), confirmed \(confirmed)"
                )
                let cancel = PaymentLifecycle.refusal(.cancel, status: status, providerConfirmed: confirmed)
                XCTAssertEqual(
                    cancel == nil, [.requiresAction, .processing, .authorized].contains(status) && confirmed,
                    "cancel when \(status), confirmed \(confirmed)")
                XCTAssertEqual(capture?.kind ?? .conflict, .conflict)
                XCTAssertEqual(cancel?.kind ?? .conflict, .conflict)
            }
        }
    }

    func testProviderNewsAgainstEveryRefundStatus() {
        let statuses: [Refund.Status] = [.pendingApproval, .pending, .succeeded, .failed, .canceled]
        let table: [(Refund.Status, ProviderRefundState.Status, RefundLifecycle.Decision?)] = [
            (.pending, .succeeded, .succeed(releaseReservation: true)),
            (.failed, .succeeded, .succeed(releaseReservation: false)),
            (.pending, .failed, .fail),
            (.pending, .pending, .ignore(reason: nil)),
            (.succeeded, .pending, .ignore(reason: nil)),
            (.failed, .pending, .ignore(reason: nil)),
            (.succeeded, .succeeded, .ignore(reason: nil)),
            (.failed, .failed, .ignore(reason: nil)),
            // "Still pending" changes nothing, whatever Coffer knows.
            (.pendingApproval, .pending, .ignore(reason: nil)),
            (.canceled, .pending, .ignore(reason: nil)),
        ]
        for status in statuses {
            for observed in [ProviderRefundState.Status.pending, .succeeded, .failed] {
                let decided = RefundLifecycle.onProvider(status, observed)
                if let row = table.first(where: { $0.0 == status && $0.1 == observed }) {
                    XCTAssertEqual(decided, row.2, "\(observed) when \(status)")
                } else {
                    // Everything else contradicts what Coffer knows: ignored, with a reason for the log.
                    guard case .ignore(let reason) = decided else {
                        return XCTFail("\(observed) when \(status) is \(decided)")
                    }
                    XCTAssertNotNil(reason, "\(observed) when \(status) is ignored silently")
                }
            }
            XCTAssertEqual(RefundLifecycle.refusal(.approve, status: status) == nil, status == .pendingApproval)
            XCTAssertEqual(RefundLifecycle.refusal(.cancel, status: status) == nil, status == .pendingApproval)
        }
    }
}
