import Contracts
import Foundation
import HTTP
import Shared
import XCTest

@testable import Ingress

/// Shared helpers for the normalizer tests: parse a fixture as ingress would, run the provider's
/// normalizer from the registry, and check refusals name the field without echoing its value.
enum NormalizerHarness {
    static func normalize(_ provider: ProviderName, _ json: String, headers: HTTPHeaders = [:]) throws
        -> NormalizedWebhook
    {
        let body = try JSONValue.parse(json)
        return try WebhookNormalizers.normalizer(for: provider).normalize(body: body, headers: headers)
    }

    /// Asserts the body is refused with a `NormalizationError` whose message names `field` and does not
    /// contain `secret` (a value planted in the body to prove messages never echo values).
    static func assertRefused(
        _ provider: ProviderName, _ json: String, naming field: String,
        secret: String? = nil, headers: HTTPHeaders = [:],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            let result = try normalize(provider, json, headers: headers)
            XCTFail("Accepted a body that should be refused: \(result)", file: file, line: line)
        } catch let error as NormalizationError {
            XCTAssertTrue(
                error.message.contains(field), "\(error.message) does not name \(field)", file: file, line: line)
            if let secret {
                XCTAssertFalse(
                    error.message.contains(secret), "\(error.message) echoes a value", file: file, line: line)
            }
        } catch {
            XCTFail("Unexpected error \(error)", file: file, line: line)
        }
    }

    static func date(_ unixSeconds: TimeInterval) -> Date { Date(timeIntervalSince1970: unixSeconds) }
}
