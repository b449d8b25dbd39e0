import Foundation
import XCTest

@testable import Payouts

/// Every (status, event) pair of the payout machine, and every (status, provider news) pair, against
/// tables written out here — independently of the code — so a change to any rule is a change to a row.
final class PayoutLifecycleTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)
    private let open: [PayoutStatus] = [.scheduled, .pendingApproval, .held, .queued]

    func testGatesDecideWhereAPayoutStarts() {
        func gates(approval: [String] = [], hold: [String] = [], date: Date? = nil) -> PayoutLifecycle.Gates {
            PayoutLifecycle.Gates(approvalReasons: approval, holdReasons: hold, scheduledFor: date)
        }
        let later = now.addingTimeInterval(3600)
        XCTAssertEqual(PayoutLifecycle.status(for: gates(), now: now), .queued)
        XCTAssertEqual(PayoutLifecycle.status(for: gates(date: later), now: now), .scheduled)
        XCTAssertEqual(
            PayoutLifecycle.status(for: gates(date: now.addingTimeInterval(-1)), now: now), .queued,
            "a past date is due")
        XCTAssertEqual(PayoutLifecycle.status(for: gates(hold: ["shared_destination"], date: later), now: now), .held)
        XCTAssertEqual(
            PayoutLifecycle.status(for: gates(approval: ["above_threshold"], hold: ["shared_destination"]), now: now),
            .pendingApproval, "approval comes first")
    }

    func testEveryEventAgainstEveryStatus() {
        let approval = PayoutLifecycle.Gates(
            approvalReasons: ["above_threshold"], holdReasons: ["destination_changed"], scheduledFor: nil)
        // event → (status → resulting status); a status not named refuses the event.
        let table: [(PayoutLifecycle.Event, [PayoutStatus: PayoutStatus])] = [
            (.approved, [.pendingApproval: .held]),  // the hold is still there once approved
            (.released, [.held: .pendingApproval]),  // released, it still waits for its approval
            (.canceled, Dictionary(uniqueKeysWithValues: (open + [.canceled]).map { ($0, .canceled) })),
            (
                .held(reason: "payee_disabled"),
                [.scheduled: .held, .pendingApproval: .pendingApproval, .held: .held, .queued: .held]
            ),
            (.claimed, [.queued: .processing, .scheduled: .processing]),
            (.retry, [.processing: .queued]),
            // Clearing the hold leaves the approval: a held payout now waits for it; statuses beyond the
            // gates keep theirs.
            (
                .cleared(reason: "destination_changed"),
                Dictionary(
                    uniqueKeysWithValues: PayoutStatus.allCases.map { ($0, $0 == .held ? .pendingApproval : $0) })
            ),
        ]
        for (event, expected) in table {
            for status in PayoutStatus.allCases {
                let result = PayoutLifecycle.next(status, approval, on: event, now: now)
                switch (result, expected[status]) {
                case (.success(let (next, _)), let wanted?): XCTAssertEqual(next, wanted, "\(event) when \(status)")
                case (.failure(let refusal), nil): XCTAssertEqual(refusal, .notAllowed(status))
                case (.success(let (next, _)), nil):
                    XCTFail("\(event) when \(status) should be refused, went to \(next)")
                case (.failure, let wanted?): XCTFail("\(event) when \(status) should go to \(wanted), was refused")
                }
            }
        }
        // Gates are what the event leaves: approving clears approvals, a hold is added once.
        if case .success(let (_, gates)) = PayoutLifecycle.next(.pendingApproval, approval, on: .approved, now: now) {
            XCTAssertEqual(gates.approvalReasons, [])
            XCTAssertEqual(gates.holdReasons, ["destination_changed"])
        } else {
            XCTFail("approve refused")
        }
        if case .success(let (status, gates)) = PayoutLifecycle.next(
            .held, approval, on: .held(reason: "destination_changed"), now: now)
        {
            XCTAssertEqual(status, .held)
            XCTAssertEqual(gates.holdReasons, ["destination_changed"], "the same reason is not added twice")
        } else {
            XCTFail("hold refused")
        }
        let lastGate = PayoutLifecycle.Gates(approvalReasons: [], holdReasons: ["first_run"], scheduledFor: nil)
        if case .success(let (status, _)) = PayoutLifecycle.next(
            .held, lastGate, on: .cleared(reason: "first_run"), now: now)
        {
            XCTAssertEqual(status, .queued, "the last gate cleared sends it to the queue")
        } else {
            XCTFail("clear refused")
        }
    }

    private func outcome(_ transition: PayoutTransition) -> String {
        switch transition {
        case .settle: "settle"
        case .settleLate: "settle_late"
        case .fail: "fail"
        case .reverse: "reverse"
        case .pending: "pending"
        case .unchanged: "unchanged"
        case .stale: "stale"
        }
    }

    func testProviderNewsAgainstEveryPayoutStatus() {
        let neverSent: [PayoutStatus] = [.scheduled, .pendingApproval, .held]
        let inFlight: [PayoutStatus] = [.processing, .queued]
        func rows(_ pairs: [([PayoutStatus], String)]) -> [PayoutStatus: String] {
            Dictionary(uniqueKeysWithValues: pairs.flatMap { statuses, outcome in statuses.map { ($0, outcome) } })
        }
        let table: [(ProviderPayoutState.Status, [PayoutStatus: String])] = [
            (
                .pending,
                rows([(inFlight, "pending"), (neverSent + [.processed, .failed, .reversed, .canceled], "unchanged")])
            ),
            // Money that left is always booked, even on a payout Coffer had failed.
            (
                .processed,
                rows([
                    (inFlight, "settle"), ([.failed], "settle_late"), ([.processed], "unchanged"),
                    (neverSent + [.canceled, .reversed], "stale"),
                ])
            ),
            (
                .failed(code: "invalid_account", message: nil),
                rows([
                    (inFlight, "fail"), ([.processed], "reverse"), ([.failed, .reversed, .canceled], "unchanged"),
                    (neverSent, "stale"),
                ])
            ),
            (
                .reversed,
                rows([
                    ([.processed], "reverse"), (inFlight, "fail"), ([.reversed, .failed, .canceled], "unchanged"),
                    (neverSent, "stale"),
                ])
            ),
        ]
        for (observed, expected) in table {
            for status in PayoutStatus.allCases {
                XCTAssertEqual(
                    outcome(PayoutTransition.decide(current: status, observed: observed)), expected[status],
                    "\(observed) when \(status)")
            }
        }
    }

    func testWhatAnOperatorMayForce() {
        let allowed: [(PayoutStatus, PayoutStatus, String)] = [
            (.processing, .processed, "settle"), (.queued, .processed, "settle"), (.failed, .processed, "settle_late"),
            (.processing, .failed, "fail"), (.queued, .failed, "fail"), (.held, .failed, "fail"),
            (.scheduled, .failed, "fail"),
            (.pendingApproval, .failed, "fail"), (.processed, .reversed, "reverse"),
        ]
        for current in PayoutStatus.allCases {
            for target in PayoutStatus.allCases {
                let forced = PayoutTransition.forced(from: current, to: target).map(outcome)
                XCTAssertEqual(
                    forced, allowed.first { $0.0 == current && $0.1 == target }?.2, "force \(current) → \(target)")
            }
        }
        XCTAssertEqual(PayoutTransition.settle.resultingStatus, .processed)
        XCTAssertEqual(PayoutTransition.reverse.resultingStatus, .reversed)
        XCTAssertNil(PayoutTransition.pending.resultingStatus)
    }
}
