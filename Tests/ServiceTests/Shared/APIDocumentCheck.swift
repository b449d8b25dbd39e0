import Foundation
import Shared
import TestSupport
import XCTest

/// What every service's OpenAPI document must be: served byte for byte as `openapi/<service>.json`
/// (compiled in by the OpenAPIEmbed plugin), valid OpenAPI 3.1 with examples that match their schemas,
/// and in step with the code — a route or an error code added without being documented fails here,
/// not in a client's integration. The route and code scans read the sources; each anchors itself on
/// names it must find, so a scan that silently finds nothing fails too.
struct APIDocumentCheck {
    /// The repository root: this file is `Tests/ServiceTests/Shared/APIDocumentCheck.swift`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `payments`, `payouts`, `ingress`: the document is `openapi/<service>.json`, the wiring
    /// `Services/<Service>/<Service>App.swift`.
    let service: String
    /// The document the binary serves.
    let embedded: String
    /// The `XRoutes` the app registers (the scan must find exactly these).
    let registrars: Set<String>
    /// Patterns whose first capture is an error code, and the sources they are read from.
    var codePatterns = [#"code: (?:String = )?"([a-z0-9_]+)""#]
    var codeSources: [String] = []
    /// Codes certainly in the sources: the scan must find each.
    var anchors: [String] = []

    var folder: String { "Services/" + service.prefix(1).uppercased() + service.dropFirst() }
    var documentPath: String { "openapi/\(service).json" }
    var documentURL: URL { Self.root.appendingPathComponent(documentPath) }
    var wiring: String { folder + "/" + service.prefix(1).uppercased() + service.dropFirst() + "App.swift" }

    func servedDocumentIsTheFile() throws {
        let file = Array(try Data(contentsOf: documentURL))
        XCTAssertTrue(file == Array(embedded.utf8), "the served document differs from \(documentPath): rebuild")
        let version = try XCTUnwrap(try JSONValue.parse(embedded)["openapi"]?.stringValue, "no openapi version")
        XCTAssertTrue(version.hasPrefix("3.1."), "openapi is \(version), not 3.1.x")
    }

    func passesTheValidatorAndExamplesMatchSchemas() async throws {
        let venv = try TestEnvironment.require("COFFER_TEST_VENV")
        let validate =
            "from openapi_spec_validator import validate; import json,sys; validate(json.load(open(sys.argv[1])))"
        do {
            try await TestProcess.run([venv + "/bin/python", "-c", validate, documentURL.path])
        } catch let failure as TestProcess.Failure {
            XCTFail("openapi-spec-validator refuses \(documentPath):\n\(failure.output)")
        }
        // The validator does not look at examples; a request or answer example must match its own schema.
        let script = Self.root.appendingPathComponent("Tests/python/openapi_examples.py").path
        do {
            try await TestProcess.run([venv + "/bin/python", script, documentURL.path])
        } catch let failure as TestProcess.Failure {
            XCTFail("examples in \(documentPath) contradict their schemas:\n\(failure.output)")
        }
    }

    /// Every code the service (and the shared layers it answers through) can put in an error must be
    /// written as code (`` `…` ``) somewhere in the document. Provider adapters are skipped: their
    /// `code:` literals are providers' own codes.
    func everyErrorCodeIsDocumented() throws {
        let documented = Set(try Self.captures(#"`([a-z0-9_]+)`"#, in: embedded))
        var sources = try Self.swiftFiles(under: folder).filter { !$0.hasPrefix(folder + "/Providers/") }
        sources += [
            "Shared/HTTP/Routing/HTTPError.swift", "Shared/HTTP/Routing/RouterResponder.swift",
            "Shared/HTTP/Server/HTTPConnection.swift", "Shared/Platform/Auth/AdminAuthenticator.swift",
            "Shared/Platform/Boot/ListParameters.swift",
        ]
        sources += try ["Shared/Platform/Input"].flatMap(Self.swiftFiles(under:)) + codeSources
        var codes: [String: String] = [:]
        for path in sources {
            for pattern in codePatterns {
                for code in try Self.matches(pattern, in: path) { codes[code] = path }
            }
        }
        for anchor in anchors + ["invalid_request", "route_not_found", "unauthorized"] {
            XCTAssertNotNil(codes[anchor], "the scan did not find \(anchor)")
        }
        for (code, path) in codes.sorted(by: { $0.key < $1.key }) where !documented.contains(code) {
            XCTFail("error code \(code) (\(path)) is not documented in \(documentPath)")
        }
    }

    /// Every registered route is documented, and the document describes no `/v1`, `/admin` or
    /// `/webhooks` operation that does not exist.
    func routesAndOperationsMatch() throws {
        let documented = try documentedRoutes()
        let registered = try registeredRoutes()
        XCTAssertGreaterThanOrEqual(registered.count, 8, "the route scan found too few routes: \(registered.sorted())")
        for route in registered.subtracting(documented).sorted() {
            XCTFail("\(route) is registered but not in \(documentPath)")
        }
        for route in documented.subtracting(registered).sorted()
        where route.contains(" /v1/") || route.contains(" /admin/") || route.contains(" /webhooks/") {
            XCTFail("\(route) is documented in \(documentPath) but no route is registered for it")
        }
    }

    // MARK: Scanning

    /// `METHOD /path` of every operation in the document.
    func documentedRoutes() throws -> Set<String> {
        let paths = try XCTUnwrap(try JSONValue.parse(embedded)["paths"]?.objectValue, "no paths")
        var routes: Set<String> = []
        for (path, item) in paths {
            for method in (item.objectValue ?? [:]).keys
            where ["get", "put", "post", "delete", "options", "head", "patch", "trace"].contains(method) {
                routes.insert(method.uppercased() + " " + path)
            }
        }
        return routes
    }

    /// `METHOD /path` of the routes the app registers: each `XRoutes.register(on: group)` gets the
    /// prefix of its group — `scaffold.tenantAPI(…)` is `/v1`, `scaffold.operatorAPI()` is `/admin`,
    /// `scaffold.router` none — plus what the scaffold adds (the audit routes of an audited scaffold,
    /// `/openapi.json`, the operational routes). `/internal/…` is service-to-service, not this API.
    func registeredRoutes() throws -> Set<String> {
        var prefixes = ["scaffold.router": "", "scaffold.operatorAPI()": "/admin"]
        for name in try Self.matches(#"let (\w+) = scaffold\.tenantAPI\("#, in: wiring) { prefixes[name] = "/v1" }
        let found = try Self.matches(#"(\w+Routes)\.register\(\s*on: [\w.()]+"#, in: wiring)
        let groups = try Self.matches(#"\w+Routes\.register\(\s*on: ([\w.()]+)"#, in: wiring)
        XCTAssertEqual(Set(found), registrars, "the wiring scan of \(wiring) no longer matches")
        var routes: Set<(String)> = []
        func add(_ definitions: [(method: String, path: String)], prefix: String) {
            for (method, path) in definitions where !(prefix + path).hasPrefix("/internal/") {
                routes.insert(method + " " + prefix + path)
            }
        }
        for (registrar, group) in zip(found, groups) {
            let prefix = try XCTUnwrap(
                prefixes[group], "\(registrar) is registered on \(group), which is not a known router group")
            add(try Self.routeDefinitions(in: "\(folder)/Routes/\(registrar).swift"), prefix: prefix)
        }
        add(
            try Self.routeDefinitions(in: wiring)
                + Self.routeDefinitions(in: "Shared/Platform/Health/OperationalRoutes.swift"), prefix: "")
        if try !Self.matches(#"audited: (true)"#, in: wiring).isEmpty {
            add(try Self.routeDefinitions(in: "Shared/Platform/Audit/AuditRoutes.swift"), prefix: "")
        }
        if try !Self.matches(#"(serveAPIDocument)\("#, in: wiring).isEmpty { routes.insert("GET /openapi.json") }
        return routes
    }

    static func routeDefinitions(in path: String) throws -> [(method: String, path: String)] {
        let methods = try matches(#"\.(get|post|put|patch|delete)\(\s*"/[^"]*""#, in: path)
        let templates = try matches(#"\.(?:get|post|put|patch|delete)\(\s*"(/[^"]*)""#, in: path)
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
