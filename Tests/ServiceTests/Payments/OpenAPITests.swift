import Foundation
import Shared
import TestSupport
import XCTest

@testable import Payments

/// `openapi/payments.json` describes the payments API: the service serves exactly it, it is valid
/// OpenAPI 3.1, and it keeps up with the code — a route or an error code added to payments without
/// being documented fails here, not in a client's integration.
final class OpenAPITests: XCTestCase {
    /// The repository root: this file is `Tests/ServiceTests/Payments/OpenAPITests.swift`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let documentURL = root.appendingPathComponent("openapi/payments.json")

    func testServedDocumentIsTheJSONFileByteForByte() throws {
        let file = Array(try Data(contentsOf: Self.documentURL))
        XCTAssertTrue(file == Array(PaymentsOpenAPI.document.utf8),
                      "PaymentsOpenAPI.document differs from openapi/payments.json: run scripts/openapi-embed.sh")
    }

    func testDocumentIsOpenAPI31() throws {
        let document = try JSONValue.parse(PaymentsOpenAPI.document)
        let version = try XCTUnwrap(document["openapi"]?.stringValue, "no openapi version")
        XCTAssertTrue(version.hasPrefix("3.1."), "openapi is \(version), not 3.1.x")
    }

    func testDocumentPassesOpenAPISpecValidator() async throws {
        let venv = try TestEnvironment.require("COFFER_TEST_VENV")
        let validate = "from openapi_spec_validator import validate; import json,sys; validate(json.load(open(sys.argv[1])))"
        do {
            try await TestProcess.run([venv + "/bin/python", "-c", validate, Self.documentURL.path])
        } catch let failure as TestProcess.Failure {
            XCTFail("openapi-spec-validator refuses openapi/payments.json:\n\(failure.output)")
        }
    }

    /// The validator does not look at examples; a request or answer example must match its own schema.
    func testExamplesMatchTheirSchemas() async throws {
        let venv = try TestEnvironment.require("COFFER_TEST_VENV")
        let script = Self.root.appendingPathComponent("Tests/python/openapi_examples.py").path
        do {
            try await TestProcess.run([venv + "/bin/python", script, Self.documentURL.path])
        } catch let failure as TestProcess.Failure {
            XCTFail("examples in openapi/payments.json contradict their schemas:\n\(failure.output)")
        }
    }

    /// Every `code: "…"` the payments service (and the shared layers it answers through) can put in an
    /// error, and the `ProviderRefusal` codes, must be written as code (`` `…` ``) somewhere in the
    /// document. Provider adapters are skipped: their `code:` literals are providers' own codes.
    func testEveryErrorCodeIsDocumented() throws {
        let documented = Set(try Self.captures(#"`([a-z0-9_]+)`"#, in: PaymentsOpenAPI.document))
        var sources = try Self.swiftFiles(under: "Services/Payments").filter { !$0.hasPrefix("Services/Payments/Providers/") }
        sources += ["Shared/HTTP/Routing/HTTPError.swift", "Shared/HTTP/Routing/RouterResponder.swift",
                    "Shared/HTTP/Server/HTTPConnection.swift", "Shared/Platform/Auth/AdminAuthenticator.swift",
                    "Shared/Platform/Boot/ListParameters.swift"]
        sources += try ["Shared/Platform/APIKeys", "Shared/Platform/Idempotency", "Shared/Platform/Input"].flatMap(Self.swiftFiles(under:))
        var codes: [String: String] = [:]
        for path in sources {
            // `code: "x"` in calls, and `code: String = "x"` for HTTPError's defaults.
            for code in try Self.matches(#"code: (?:String = )?"([a-z0-9_]+)""#, in: path) { codes[code] = path }
        }
        let refusals = try Self.matches(#"\(\d{3}, "([a-z0-9_]+)""#, in: "Services/Payments/Domain/PaymentsCore.swift")
        XCTAssertEqual(Set(refusals), ["payment_declined", "provider_invalid_request", "provider_authentication_failed"],
                       "the ProviderRefusal scan no longer matches PaymentsCore.swift")
        for code in refusals { codes[code] = "Services/Payments/Domain/PaymentsCore.swift" }
        // A scanner that silently finds nothing would pass; these codes are certainly in the sources.
        for anchor in ["invalid_request", "idempotency_key_reused", "invalid_api_key", "route_not_found", "unauthorized"] {
            XCTAssertNotNil(codes[anchor], "the scan did not find \(anchor)")
        }
        for (code, path) in codes.sorted(by: { $0.key < $1.key }) where !documented.contains(code) {
            XCTFail("error code \(code) (\(path)) is not documented in openapi/payments.json")
        }
    }

    func testEveryRouteIsDocumented() throws {
        let documented = try Self.documentedRoutes()
        let registered = try Self.registeredRoutes()
        XCTAssertGreaterThanOrEqual(registered.count, 18, "the route scan found too few routes: \(registered.sorted())")
        for route in registered.subtracting(documented).sorted() {
            XCTFail("\(route) is registered but not in openapi/payments.json")
        }
    }

    /// The reverse: the document describes no `/v1` or `/admin` operation that does not exist.
    func testEveryDocumentedOperationExists() throws {
        let registered = try Self.registeredRoutes()
        for route in try Self.documentedRoutes().subtracting(registered).sorted()
        where route.contains(" /v1/") || route.contains(" /admin/") {
            XCTFail("\(route) is documented but no route is registered for it")
        }
    }

    // MARK: Scanning

    /// `METHOD /path` of every operation in the document.
    static func documentedRoutes() throws -> Set<String> {
        let document = try JSONValue.parse(PaymentsOpenAPI.document)
        let paths = try XCTUnwrap(document["paths"]?.objectValue, "no paths")
        var routes: Set<String> = []
        for (path, item) in paths {
            for method in (item.objectValue ?? [:]).keys
            where ["get", "put", "post", "delete", "options", "head", "patch", "trace"].contains(method) {
                routes.insert(method.uppercased() + " " + path)
            }
        }
        return routes
    }

    /// `METHOD /path` of the routes `PaymentsApp` registers: each `XRoutes.register(on: group)` gets the
    /// prefix of `let group = router.group("/prefix", …)` (both read from PaymentsService.swift), plus
    /// the routes registered on the router itself there and by the operational routes; `/internal/…`
    /// is service-to-service and not part of this API.
    static func registeredRoutes() throws -> Set<String> {
        let wiring = "Services/Payments/PaymentsService.swift"
        let groupNames = try matches(#"let (\w+) = router\.group\("[^"]*""#, in: wiring)
        let groupPrefixes = try matches(#"let \w+ = router\.group\("([^"]*)""#, in: wiring)
        var prefixes = Dictionary(uniqueKeysWithValues: zip(groupNames, groupPrefixes))
        prefixes["router"] = ""
        let registrars = try matches(#"(\w+Routes)\.register\(on: \w+"#, in: wiring)
        let groups = try matches(#"\w+Routes\.register\(on: (\w+)"#, in: wiring)
        XCTAssertEqual(Set(registrars), ["PaymentRoutes", "TenantRoutes", "OperatorRoutes", "AuditRoutes"], "the wiring scan no longer matches")
        // Registrars live in the service's Routes/ or, shared by every service, in Platform.
        let files = ["AuditRoutes": "Shared/Platform/Audit/AuditRoutes.swift"]
        var routes: Set<String> = []
        for (registrar, group) in zip(registrars, groups) {
            let prefix = try XCTUnwrap(prefixes[group], "\(registrar) is registered on \(group), which is not a router group")
            let file = files[registrar] ?? "Services/Payments/Routes/\(registrar).swift"
            routes.formUnion(try routeDefinitions(in: file).map { $0.method + " " + prefix + $0.path })
        }
        for file in [wiring, "Shared/Platform/Health/OperationalRoutes.swift"] {
            routes.formUnion(try routeDefinitions(in: file).filter { !$0.path.hasPrefix("/internal/") }.map { $0.method + " " + $0.path })
        }
        return routes
    }

    static func routeDefinitions(in path: String) throws -> [(method: String, path: String)] {
        let methods = try matches(#"\.(get|post|put|patch|delete)\("/[^"]*""#, in: path)
        let templates = try matches(#"\.(?:get|post|put|patch|delete)\("(/[^"]*)""#, in: path)
        return zip(methods, templates).map { ($0.uppercased(), $1) }
    }

    /// The first capture group of every match of `pattern` in the file at `path` (from the repository root).
    static func matches(_ pattern: String, in path: String) throws -> [String] {
        try captures(pattern, in: try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8))
    }

    static func captures(_ pattern: String, in text: String) throws -> [String] {
        let expression = try NSRegularExpression(pattern: pattern)
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// `.swift` files under `directory`, as paths from the repository root.
    static func swiftFiles(under directory: String) throws -> [String] {
        let subpaths = try FileManager.default.subpathsOfDirectory(atPath: root.appendingPathComponent(directory).path)
        return subpaths.filter { $0.hasSuffix(".swift") }.map { directory + "/" + $0 }.sorted()
    }
}
