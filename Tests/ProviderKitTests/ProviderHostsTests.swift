import Contracts
import HTTP
import ProviderKit
import Shared
import XCTest

/// A live connector may only call its provider's own API: hosts are compared parsed and exactly.
final class ProviderHostsTests: XCTestCase {
    func testOnlyTheProvidersOwnHostsAreAllowed() {
        let allowed = [
            "https://api.stripe.com", "https://api.stripe.com/", "https://API.STRIPE.COM/v1",
            "https://api.stripe.com:443",
        ]
        for url in allowed { XCTAssertTrue(ProviderHosts.isAllowed(url, provider: .stripe, livemode: true), url) }
        let refused = [
            "https://api.stripe.com.attacker.tld/", "https://api.stripe.com.attacker.tld", "https://api.stripe.comx",
            "http://api.stripe.com", "https://api.stripe.com:444", "https://user@api.stripe.com",
            "https://api.stripe.com@evil.tld",
            "https://evil.tld/api.stripe.com", "https://evil.tld?x=https://api.stripe.com", "https://api.stripe.com./",
            "https://api%2Estripe.com", "https://169.254.169.254", "https://api.stripe.com/../../x",
            "https://api.stripe.com\\@evil.tld",
            "https://api.stripe.com#frag", "ftp://api.stripe.com", "",
        ]
        for url in refused { XCTAssertFalse(ProviderHosts.isAllowed(url, provider: .stripe, livemode: true), url) }
        XCTAssertFalse(
            ProviderHosts.isAllowed("https://api-m.sandbox.paypal.com", provider: .paypal, livemode: true),
            "test host for live")
        XCTAssertTrue(ProviderHosts.isAllowed("https://api-m.paypal.com", provider: .paypal, livemode: true))
        // A path-scoped base: only under its path.
        XCTAssertTrue(ProviderHosts.isAllowed("https://api.phonepe.com/apis/pg", provider: .phonepe, livemode: true))
        XCTAssertFalse(ProviderHosts.isAllowed("https://api.phonepe.com/apis/pgx", provider: .phonepe, livemode: true))
        XCTAssertFalse(ProviderHosts.isAllowed("https://api.phonepe.com/", provider: .phonepe, livemode: true))
        // One host per country where the provider has them.
        XCTAssertTrue(ProviderHosts.isAllowed("https://proxy.momoapi.mtn.co.rw", provider: .mtn, livemode: true))
        XCTAssertTrue(
            ProviderHosts.allowed(.standard, livemode: true).isEmpty, "the Standard Webhooks source calls nothing")
        for provider in ProviderName.allCases where provider != .standard {
            for live in [true, false] {
                XCTAssertTrue(
                    ProviderHosts.isAllowed(
                        ProviderHosts.official(provider, livemode: live), provider: provider, livemode: live),
                    "\(provider) \(live)")
            }
        }
    }

    func testParsedBaseURLsFlagMetadataAndPrivateAddresses() throws {
        for url in [
            "http://169.254.169.254/latest", "http://[fd00:ec2::254]/", "http://metadata.google.internal/",
            "http://[fe80::1]:8080",
        ] {
            XCTAssertTrue(try XCTUnwrap(ParsedBaseURL(url)).isRefused(by: .localDevelopment), url)
        }
        XCTAssertFalse(try XCTUnwrap(ParsedBaseURL("http://127.0.0.1:8090/stripe")).isRefused(by: .localDevelopment))
        XCTAssertTrue(try XCTUnwrap(ParsedBaseURL("http://127.0.0.1:8090/stripe")).isRefused(by: .publicOnly))
        XCTAssertTrue(try XCTUnwrap(ParsedBaseURL("http://10.0.0.7/")).isRefused(by: .publicOnly))
        XCTAssertNil(ParsedBaseURL("http://user:pw@host/"))
    }
}
