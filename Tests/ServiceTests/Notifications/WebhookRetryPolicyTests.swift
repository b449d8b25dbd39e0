import Foundation
import XCTest

@testable import Notifications

/// The outbound webhook retry rules, every answer against every attempt.
final class WebhookRetryPolicyTests: XCTestCase {
    func testSvixScheduleWithSpreadForEveryAttempt() {
        let waits: [Int64] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000]
        for (index, seconds) in waits.enumerated() {
            let attempt = index + 1
            XCTAssertEqual(
                WebhookRetryPolicy.decide(attempt: attempt, status: 500, retryAfter: nil, spreadPermille: 0),
                .retry(after: .seconds(seconds)), "after attempt \(attempt)")
            XCTAssertEqual(
                WebhookRetryPolicy.decide(attempt: attempt, status: nil, retryAfter: nil, spreadPermille: 200),
                .retry(after: .seconds(seconds) * 1200 / 1000), "no answer, +20%")
            XCTAssertEqual(
                WebhookRetryPolicy.decide(attempt: attempt, status: 429, retryAfter: nil, spreadPermille: -999),
                .retry(after: .seconds(seconds) * 800 / 1000), "the spread is clamped to −20%")
        }
        XCTAssertEqual(WebhookRetryPolicy.decide(attempt: 8, status: 500, retryAfter: nil, spreadPermille: 0), .failed)
        XCTAssertEqual(WebhookRetryPolicy.decide(attempt: 0, status: 500, retryAfter: nil, spreadPermille: 0), .failed)
    }

    func testAnswersThatEndOrBendTheSchedule() {
        for status in [200, 201, 204, 299] {
            XCTAssertEqual(
                WebhookRetryPolicy.decide(attempt: 3, status: status, retryAfter: nil, spreadPermille: 0), .delivered)
        }
        XCTAssertEqual(
            WebhookRetryPolicy.decide(attempt: 1, status: 410, retryAfter: nil, spreadPermille: 0), .disableEndpoint)
        for status in [300, 400, 404, 409, 500, 503] {
            XCTAssertNotEqual(
                WebhookRetryPolicy.decide(attempt: 1, status: status, retryAfter: nil, spreadPermille: 0), .delivered)
        }
        // Retry-After lengthens a wait (capped at an hour) and never shortens one.
        XCTAssertEqual(
            WebhookRetryPolicy.decide(attempt: 1, status: 503, retryAfter: "120", spreadPermille: 0),
            .retry(after: .seconds(120)))
        XCTAssertEqual(
            WebhookRetryPolicy.decide(attempt: 1, status: 429, retryAfter: "999999999", spreadPermille: 0),
            .retry(after: .seconds(3600)))
        XCTAssertEqual(
            WebhookRetryPolicy.decide(attempt: 5, status: 503, retryAfter: "1", spreadPermille: 0),
            .retry(after: .seconds(18_000)))
        for junk in ["-5", "soon", "Wed, 21 Oct 2026 07:28:00 GMT", "", "99999999999999999999999"] {
            XCTAssertEqual(
                WebhookRetryPolicy.decide(attempt: 1, status: 503, retryAfter: junk, spreadPermille: 0),
                .retry(after: .seconds(5)), junk)
        }
    }

    func testAnEndpointFailingForFiveDaysStraightIsDisabled() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        XCTAssertFalse(WebhookRetryPolicy.shouldDisable(failingSince: nil, now: now))
        XCTAssertFalse(
            WebhookRetryPolicy.shouldDisable(failingSince: now.addingTimeInterval(-(5 * 86_400 - 1)), now: now))
        XCTAssertTrue(WebhookRetryPolicy.shouldDisable(failingSince: now.addingTimeInterval(-5 * 86_400), now: now))
    }
}
