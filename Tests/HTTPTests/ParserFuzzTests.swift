import HTTP
import XCTest

/// Random and mutated input in random splits: the parsers never trap or spin, keep event order,
/// stay poisoned after an error, and give the same events however the input is split.
final class ParserFuzzTests: XCTestCase {
    private let validRequests = [
        "GET /v1/payments?limit=10 HTTP/1.1\r\nHost: api.coffer.test\r\nAccept: */*\r\n\r\n",
        "POST /v1/payments HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world",
        "POST /hooks HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: v\r\n\r\n",
        "GET / HTTP/1.0\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
        "\r\nPUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nExpect: 100-continue\r\n\r\n",
    ].map { Array($0.utf8) }

    private let validResponses = [
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 100 Continue\r\n\r\n"
            + "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX: y\r\n\r\n",
        "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nuntil close",
        "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
    ].map { Array($0.utf8) }

    /// Fragments that steer random input toward interesting parser states.
    private let fragments = [
        "GET ", "POST ", "/", " HTTP/1.1", " HTTP/1.0", "HTTP/1.1 200 OK", "\r\n", "\r", "\n",
        "Host: h", "Content-Length: ", "Transfer-Encoding: chunked", ": ", " ", "\t", "0", "5",
        "ff", ";", "\r\n\r\n", "0\r\n\r\n",
    ].map { Array($0.utf8) }

    func testValidCorpusParsesWithoutErrors() {
        var random = SplitMix64(seed: 1)
        for input in validRequests {
            XCTAssertNil(requestEvents(input, splits: splits(input.count, &random)).error)
        }
        for input in validResponses {
            XCTAssertNil(responseEvents(input, splits: splits(input.count, &random)).error)
        }
    }

    func testMutatedRequests() {
        var random = SplitMix64(seed: 0xC0FFEE)
        for round in 0..<10_000 {
            let input = mutate(validRequests[round % validRequests.count], &random)
            checkRequests(input, limits: randomLimits(&random), &random, round: round)
        }
    }

    func testRandomRequests() {
        var random = SplitMix64(seed: 42)
        for round in 0..<5_000 {
            checkRequests(randomBytes(&random), limits: randomLimits(&random), &random, round: round)
        }
    }

    func testMutatedAndRandomResponses() {
        var random = SplitMix64(seed: 7)
        for round in 0..<5_000 {
            let input =
                round.isMultiple(of: 2)
                ? mutate(validResponses[round % validResponses.count], &random) : randomBytes(&random)
            let limits = randomLimits(&random)
            let whole = responseEvents(input, splits: [input.count], limits: limits)
            let split = responseEvents(input, splits: splits(input.count, &random), limits: limits)
            XCTAssertEqual(whole, split, "round \(round): \(String(decoding: input, as: UTF8.self).debugDescription)")
        }
    }

    // MARK: - Drivers

    private func checkRequests(_ input: [UInt8], limits: HTTPParserLimits, _ random: inout SplitMix64, round: Int) {
        let whole = requestEvents(input, splits: [input.count], limits: limits)
        let split = requestEvents(input, splits: splits(input.count, &random), limits: limits)
        XCTAssertEqual(whole, split, "round \(round): \(String(decoding: input, as: UTF8.self).debugDescription)")
    }

    /// Events (bodies merged) from feeding `input` cut at `splits` (chunk lengths).
    private func requestEvents(
        _ input: [UInt8], splits: [Int],
        limits: HTTPParserLimits = HTTPParserLimits()
    ) -> [Decoded] {
        var parser = HTTPRequestParser(limits: limits)
        var events: [Decoded] = []
        var budget = Budget(input: input, splits: splits)
        var offset = 0
        for length in splits {
            parser.feed(Array(input[offset..<(offset + length)]))
            offset += length
            while budget.spend(), let event = decoded(parser.next()) {
                if case .body("") = event { XCTFail("empty body event") }
                appendMerging(event, to: &events)
                if case .error(let error) = event {
                    assertPoisoned(error) { if case .error(let again) = parser.next() { again } else { nil } }
                    return events
                }
            }
        }
        return events
    }

    /// Like `requestEvents`, then `connectionClosed()` and whatever it leads to.
    private func responseEvents(
        _ input: [UInt8], splits: [Int],
        limits: HTTPParserLimits = HTTPParserLimits()
    ) -> [Decoded] {
        var parser = HTTPResponseParser(limits: limits)
        for method in [HTTPMethod.GET, .HEAD, .POST, .GET] { parser.expectResponse(to: method) }
        var events: [Decoded] = []
        var budget = Budget(input: input, splits: splits)
        var offset = 0
        for length in splits + [0] {
            var closing = length == 0
            parser.feed(Array(input[offset..<(offset + length)]))
            offset += length
            while budget.spend() {
                let next = closing ? parser.connectionClosed() : parser.next()
                closing = false
                guard let event = next.flatMap(decoded) else { break }
                if case .body("") = event { XCTFail("empty body event") }
                appendMerging(event, to: &events)
                if case .error(let error) = event {
                    assertPoisoned(error) { if case .error(let again) = parser.next() { again } else { nil } }
                    return events
                }
            }
        }
        return events
    }

    /// Bounds `next()` calls: every event but `.end` consumes input, and `.end` follows a `.head`,
    /// so a parser that needs more than this is spinning.
    private struct Budget {
        var left: Int

        init(input: [UInt8], splits: [Int]) { left = 3 * input.count + 4 * splits.count + 16 }

        mutating func spend() -> Bool {
            left -= 1
            if left < 0 { XCTFail("next() spun without returning needMoreData") }
            return left >= 0
        }
    }

    private func assertPoisoned(_ error: HTTPParseError, _ nextError: () -> HTTPParseError?) {
        for _ in 0..<2 {
            XCTAssertEqual(nextError(), error, "not poisoned")
        }
    }

    // MARK: - Generators

    private func randomLimits(_ random: inout SplitMix64) -> HTTPParserLimits {
        guard random.next(below: 3) == 0 else { return HTTPParserLimits() }
        return HTTPParserLimits(
            maxRequestLineBytes: random.next(below: 40), maxHeaderBytes: random.next(below: 80),
            maxHeaderCount: random.next(below: 4), maxBodyBytes: random.next(below: 12))
    }

    /// Random chunk lengths summing to `count`.
    private func splits(_ count: Int, _ random: inout SplitMix64) -> [Int] {
        var result: [Int] = []
        var left = count
        while left > 0 {
            let length = min(left, 1 + random.next(below: random.next(below: 2) == 0 ? 3 : 40))
            result.append(length)
            left -= length
        }
        return result
    }

    private func randomBytes(_ random: inout SplitMix64) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<random.next(below: 40) {
            if random.next(below: 2) == 0 {
                bytes += fragments[random.next(below: fragments.count)]
            } else {
                bytes.append(UInt8(truncatingIfNeeded: random.next()))
            }
        }
        return bytes
    }

    private func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0...random.next(below: 3) where !bytes.isEmpty {
            let index = random.next(below: bytes.count)
            switch random.next(below: 7) {
            case 0: bytes[index] ^= UInt8(1) << UInt8(random.next(below: 8))
            case 1: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: index)
            case 2: bytes.remove(at: index)
            case 3: bytes.removeSubrange(index...)
            case 4: bytes.insert(contentsOf: fragments[random.next(below: fragments.count)], at: index)
            case 5:
                // Duplicate the line containing `index` (e.g. a second Content-Length).
                let start = bytes[..<index].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
                let end = bytes[index...].firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
                bytes.insert(contentsOf: Array(bytes[start..<end]), at: end)
            default: bytes[index] = UInt8(truncatingIfNeeded: random.next())
            }
        }
        return bytes
    }
}

/// A small seeded generator so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int {
        bound <= 0 ? 0 : Int(next() % UInt64(bound))
    }
}
