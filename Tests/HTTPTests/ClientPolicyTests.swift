import Foundation
import Shared
import Synchronization
import TestSupport
import XCTest

@testable import HTTP

/// Outbound calls to URLs a tenant chose: never a redirect followed, never an unbounded answer, never
/// a metadata, link-local or (in production) private address — through both of Coffer's clients.
final class ClientPolicyTests: XCTestCase {
    func servers(hits: Hits) async throws -> (redirecting: ServerTestHarness, target: ServerTestHarness) {
        let target = try await ServerTestHarness(routes: { router in
            router.get("/secret") { _, _ in
                hits.add()
                return .text(.ok, "internal data")
            }
        })
        let targetPort = target.port
        let redirecting = try await ServerTestHarness(routes: { router in
            router.get("/moved") { _, _ in
                HTTPResponse(status: HTTPStatus(302), headers: ["Location": "http://127.0.0.1:\(targetPort)/secret"])
            }
            router.get("/big") { _, _ in HTTPResponse(status: .ok, body: [UInt8](repeating: 0x61, count: 2 << 20)) }
        })
        return (redirecting, target)
    }

    func testRedirectsAreNeverFollowedByEitherClient() async throws {
        let hits = Hits()
        let (redirecting, target) = try await servers(hits: hits)
        let clients: [(String, any HTTPClient)] = [("loop", LoopHTTPClient()), ("urlsession", URLSessionHTTPClient())]
        for (name, client) in clients {
            let response = try await client.send(
                HTTPClientRequest(method: .GET, url: "http://127.0.0.1:\(redirecting.port)/moved"))
            XCTAssertEqual(response.status.code, 302, name)
            XCTAssertEqual(response.headers["Location"], "http://127.0.0.1:\(target.port)/secret", name)
        }
        XCTAssertEqual(hits.value, 0, "the redirect target was never called")
        await redirecting.stop()
        await target.stop()
    }

    func testAnswersPastTheLimitFailWithoutBeingKept() async throws {
        let hits = Hits()
        let (server, target) = try await servers(hits: hits)
        let clients: [(String, any HTTPClient)] = [("loop", LoopHTTPClient()), ("urlsession", URLSessionHTTPClient())]
        for (name, client) in clients {
            var request = HTTPClientRequest(method: .GET, url: "http://127.0.0.1:\(server.port)/big")
            request.maxResponseBytes = 1 << 20
            do {
                _ = try await client.send(request)
                XCTFail("\(name) accepted a 2 MiB answer with a 1 MiB limit")
            } catch let error as HTTPClientError {
                XCTAssertEqual(error.kind, .responseTooLarge, name)
            }
            request.maxResponseBytes = 4 << 20
            let whole = try await client.send(request)
            XCTAssertEqual(whole.body.count, 2 << 20, name)
        }
        await server.stop()
        await target.stop()
    }

    func testTheAddressPolicyIsCheckedBeforeConnecting() async throws {
        let hits = Hits()
        let (server, target) = try await servers(hits: hits)
        let clients: [(String, any HTTPClient)] = [("loop", LoopHTTPClient()), ("urlsession", URLSessionHTTPClient())]
        for (name, client) in clients {
            var request = HTTPClientRequest(
                method: .GET, url: "http://127.0.0.1:\(target.port)/secret", timeout: .seconds(3))
            request.addressPolicy = OutboundAddressPolicy.publicOnly
            await XCTAssertThrowsKind(.addressRefused, name) { try await client.send(request) }
            // "localhost" is a name that resolves to loopback: refused the same way.
            request.url = "http://localhost:\(target.port)/secret"
            await XCTAssertThrowsKind(.addressRefused, name) { try await client.send(request) }
            for url in [
                "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://metadata.google.internal/",
                "http://100.100.100.200/",
            ] {
                request.url = url
                request.addressPolicy = OutboundAddressPolicy.localDevelopment
                await XCTAssertThrowsKind(.addressRefused, "\(name) \(url)") { try await client.send(request) }
            }
            request.url = "http://127.0.0.1:\(target.port)/secret"
            request.addressPolicy = OutboundAddressPolicy.localDevelopment
            let allowed = try await client.send(request)
            XCTAssertEqual(allowed.status.code, 200, name)
        }
        XCTAssertEqual(hits.value, 2, "only the calls the policy allowed arrived")
        await server.stop()
        await target.stop()
    }

    func testAddressClasses() {
        let cases: [(String, AddressClass?)] = [
            ("8.8.8.8", .publicInternet), ("127.0.0.1", .loopback), ("127.9.9.9", .loopback),
            ("10.1.2.3", .privateNetwork),
            ("172.16.0.1", .privateNetwork), ("172.31.255.255", .privateNetwork), ("172.32.0.1", .publicInternet),
            ("192.168.1.1", .privateNetwork), ("100.64.0.1", .privateNetwork), ("169.254.169.254", .metadata),
            ("169.254.1.1", .linkLocal),
            ("100.100.100.200", .metadata), ("0.0.0.0", .reserved), ("255.255.255.255", .reserved), ("::1", .loopback),
            ("::", .reserved),
            ("fe80::1", .linkLocal), ("fd00:ec2::254", .metadata), ("fc00::1", .privateNetwork),
            ("::ffff:169.254.169.254", .metadata),
            ("::ffff:10.0.0.1", .privateNetwork), ("[::1]", .loopback), ("2606:4700::1111", .publicInternet),
            ("64:ff9b::a9fe:a9fe", .metadata),
            ("api.stripe.com", nil), ("1.2.3", nil),
        ]
        for (text, expected) in cases { XCTAssertEqual(AddressClass.classify(text), expected, text) }
    }

    private func XCTAssertThrowsKind(
        _ kind: HTTPClientError.Kind, _ message: String, file: StaticString = #filePath, line: UInt = #line,
        _ body: () async throws -> HTTPClientResponse
    ) async {
        do {
            _ = try await body()
            XCTFail("\(message): expected \(kind)", file: file, line: line)
        } catch let error as HTTPClientError {
            XCTAssertEqual(error.kind, kind, message, file: file, line: line)
        } catch {
            XCTFail("\(message): \(error)", file: file, line: line)
        }
    }
}
