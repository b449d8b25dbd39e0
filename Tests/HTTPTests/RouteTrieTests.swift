import XCTest

@testable import HTTP

/// The router's trie: literals win over parameters, parameters are percent-decoded, HEAD is served by
/// GET, and a path with routes for other methods is 405 with the methods it has.
final class RouteTrieTests: XCTestCase {
    func trie() -> RouteTrie<String> {
        let trie = RouteTrie<String>()
        trie.insert(.GET, template: "/v1/payments", route: "list")
        trie.insert(.POST, template: "/v1/payments", route: "create")
        trie.insert(.GET, template: "/v1/payments/{id}", route: "get")
        trie.insert(.POST, template: "/v1/payments/{id}/capture", route: "capture")
        trie.insert(.GET, template: "/v1/payments/search", route: "search")
        return trie
    }

    func found(_ match: RouteTrie<String>.Match) -> (String, [String: String])? {
        if case .found(let route, let parameters) = match { return (route, parameters) }
        return nil
    }

    func testLiteralsWinOverParametersAndParametersAreDecoded() {
        let trie = trie()
        XCTAssertEqual(found(trie.match(.GET, path: "/v1/payments/search"))?.0, "search")
        XCTAssertEqual(found(trie.match(.GET, path: "/v1/payments/pay_1"))?.1, ["id": "pay_1"])
        XCTAssertEqual(
            found(trie.match(.GET, path: "/v1/payments/a%2Fb%20c"))?.1, ["id": "a/b c"],
            "decoded, and %2F stays in one segment")
        XCTAssertEqual(found(trie.match(.POST, path: "/v1/payments/pay_1/capture"))?.0, "capture")
        XCTAssertEqual(found(trie.match(.GET, path: "/v1/payments/"))?.0, "list", "one trailing slash is ignored")
    }

    func testWhatDoesNotMatch() {
        let trie = trie()
        for path in [
            "/v1/payment", "/v1/payments//capture", "/v1/payments/pay_1/capture/extra", "/v2/payments", "", "/",
        ] {
            guard case .notFound = trie.match(.GET, path: Substring(path)) else { return XCTFail("\(path) matched") }
        }
        guard case .notFound = trie.match(.GET, path: "/v1/payments/%zz") else {
            return XCTFail("a malformed escape matched")
        }
    }

    func testHeadIsServedByGetAndOtherMethodsAre405WithWhatIsAllowed() {
        let trie = trie()
        XCTAssertEqual(found(trie.match(.HEAD, path: "/v1/payments/pay_1"))?.0, "get")
        guard case .methodNotAllowed(let allowed) = trie.match(.DELETE, path: "/v1/payments") else {
            return XCTFail("not 405")
        }
        XCTAssertEqual(allowed, [.GET, .HEAD, .POST])
        guard case .methodNotAllowed(let captureAllowed) = trie.match(.GET, path: "/v1/payments/pay_1/capture") else {
            return XCTFail("not 405")
        }
        XCTAssertEqual(captureAllowed, [.POST])
    }
}
