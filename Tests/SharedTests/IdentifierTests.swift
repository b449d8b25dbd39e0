import Foundation
import Synchronization
import XCTest

@testable import Shared

final class IdentifierTests: XCTestCase {
    private let alphabet = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    func testFormat() {
        let id = CofferID.generate(.payment)
        XCTAssertTrue(id.hasPrefix("pay_"))
        XCTAssertEqual(id.count, 4 + 26)
        XCTAssertTrue(id.dropFirst(4).allSatisfy { alphabet.contains($0) }, id)
        XCTAssertTrue(CofferID.isValid(id, prefix: .payment))
        XCTAssertTrue(CofferID.isValid(CofferID.generate(.refund), prefix: .refund))
        XCTAssertTrue(CofferID.generate(.payoutBatch).hasPrefix("pob_"))
    }

    func testPrefixesAreDistinct() {
        let prefixes: [IDPrefix] = [
            .tenant, .apiKey, .connector, .payment, .refund, .payout, .payee, .payoutBatch, .event, .attempt,
            .auditEntry, .fulfillment, .dispute, .notification, .webhookEndpoint, .alert, .ledgerEntry, .request,
            .reconciliationReport,
        ]
        XCTAssertEqual(Set(prefixes).count, prefixes.count)
        XCTAssertEqual(IDPrefix.tenant.rawValue, "ten")
        XCTAssertEqual(IDPrefix.refund.rawValue, "re")
        XCTAssertEqual(IDPrefix.attempt.rawValue, "wha")
    }

    func testIsValidRejectsWrongShapes() {
        let good = "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5"
        XCTAssertTrue(CofferID.isValid(good, prefix: .payment))
        let bad = [
            "",
            "pay_",
            "pay01JD3XK5M7Q8R9S0T1V2W3X4Y5",  // no separator
            "pay-01JD3XK5M7Q8R9S0T1V2W3X4Y5",
            "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y",  // 25 chars
            "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5Z",  // 27 chars
            "pay_01jd3xk5m7q8r9s0t1v2w3x4y5",  // lowercase
            "pay_01JD3XK5M7Q8R9S0T1V2W3X4YI",  // I is not in the alphabet
            "pay_01JD3XK5M7Q8R9S0T1V2W3X4YL",
            "pay_01JD3XK5M7Q8R9S0T1V2W3X4YO",
            "pay_01JD3XK5M7Q8R9S0T1V2W3X4YU",
            "pay_81JD3XK5M7Q8R9S0T1V2W3X4Y5",  // above 128 bits
            "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y!",
            "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y\u{00E9}",
            "PAY_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
            " pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
            "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5 ",
            "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5\n",
            "re_01JD3XK5M7Q8R9S0T1V2W3X4Y5",  // another type
            "payx01JD3XK5M7Q8R9S0T1V2W3X4Y5",
            "../../etc/passwd",
        ]
        for id in bad { XCTAssertFalse(CofferID.isValid(id, prefix: .payment), id) }
        XCTAssertFalse(CofferID.isValid("rec_01JD3XK5M7Q8R9S0T1V2W3X4Y5", prefix: .refund))
        XCTAssertTrue(CofferID.isValid("rec_01JD3XK5M7Q8R9S0T1V2W3X4Y5", prefix: .reconciliationReport))
        XCTAssertFalse(CofferID.isValid(CofferID.generate(.payout), prefix: .payoutBatch))
        XCTAssertFalse(CofferID.isValid(CofferID.generate(.payoutBatch), prefix: .payout))
    }

    func testTimestampExtraction() throws {
        let before = Timestamp.nowUnixMilliseconds()
        let id = CofferID.generate(.event)
        let after = Timestamp.nowUnixMilliseconds()
        let date = try XCTUnwrap(CofferID.timestamp(of: id))
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        XCTAssertGreaterThanOrEqual(millis, before)
        XCTAssertLessThanOrEqual(millis, after)
        // 01JD3XK5M7 is 1_732_077_262_471 ms: 2024-11-20T04:34:22.471Z.
        let known = try XCTUnwrap(CofferID.timestamp(of: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5"))
        XCTAssertEqual(Int64((known.timeIntervalSince1970 * 1000).rounded()), 1_732_077_262_471)
        XCTAssertEqual(Timestamp.rfc3339Milliseconds(known), "2024-11-20T04:34:22.471Z")
        XCTAssertNil(CofferID.timestamp(of: "pay_01JD3XK5M7"))
        XCTAssertNil(CofferID.timestamp(of: "_01JD3XK5M7Q8R9S0T1V2W3X4Y5"))
        XCTAssertNil(CofferID.timestamp(of: "01JD3XK5M7Q8R9S0T1V2W3X4Y5"))
        XCTAssertNil(CofferID.timestamp(of: "Pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5"))
        XCTAssertNil(CofferID.timestamp(of: "pay_81JD3XK5M7Q8R9S0T1V2W3X4Y5"))
    }

    func testEncodingMatchesULIDReference() {
        // The all-zero and all-ones values bound the encoding.
        XCTAssertEqual(encode(ULID(milliseconds: 0, randomHigh: 0, randomLow: 0)), "00000000000000000000000000")
        XCTAssertEqual(
            encode(ULID(milliseconds: 0xFFFF_FFFF_FFFF, randomHigh: .max, randomLow: .max)),
            "7ZZZZZZZZZZZZZZZZZZZZZZZZZ")
        XCTAssertEqual(encode(ULID(milliseconds: 0, randomHigh: 0, randomLow: 1)), "00000000000000000000000001")
        XCTAssertEqual(encode(ULID(milliseconds: 0, randomHigh: 1, randomLow: 0)), "0000000000000G000000000000")
        XCTAssertEqual(
            encode(ULID(milliseconds: 1_732_207_334_567, randomHigh: 0, randomLow: 0)).prefix(10), "01JD7SMN57")
    }

    func testMonotonicWithinOneMillisecond() {
        var generator = ULIDGenerator()
        let first = generator.next(now: 1_000)
        let second = generator.next(now: 1_000)
        let third = generator.next(now: 1_000)
        XCTAssertEqual(second.milliseconds, 1_000)
        XCTAssertEqual(second, first.incremented())
        XCTAssertEqual(third, second.incremented())
        XCTAssertLessThan(encode(first), encode(second))
        XCTAssertLessThan(encode(second), encode(third))
    }

    func testClockSteppingBackKeepsOrder() {
        var generator = ULIDGenerator()
        let first = generator.next(now: 5_000)
        let second = generator.next(now: 4_000)
        XCTAssertEqual(second.milliseconds, 5_000)
        XCTAssertLessThan(encode(first), encode(second))
        let third = generator.next(now: 5_001)
        XCTAssertEqual(third.milliseconds, 5_001)
        XCTAssertLessThan(encode(second), encode(third))
    }

    func testRandomPartWrapBorrowsNextMillisecond() {
        XCTAssertNil(ULID(milliseconds: 7, randomHigh: .max, randomLow: .max).incremented())
        XCTAssertEqual(
            ULID(milliseconds: 7, randomHigh: 0, randomLow: .max).incremented(),
            ULID(milliseconds: 7, randomHigh: 1, randomLow: 0))
    }

    func testGeneratedIDsSortInCreationOrder() {
        var ids = [String]()
        for _ in 0..<20_000 { ids.append(CofferID.generate(.payment)) }
        // Also across milliseconds: wait for the clock to move and keep going.
        let start = Timestamp.nowUnixMilliseconds()
        while Timestamp.nowUnixMilliseconds() < start + 3 { ids.append(CofferID.generate(.payment)) }
        XCTAssertEqual(ids, ids.sorted())
        XCTAssertEqual(Set(ids).count, ids.count)
    }

    func testUniqueUnderConcurrency() async {
        let perTask = 125_000
        let (all, ordered) = await withTaskGroup(of: ([String], Bool).self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var ids = [String]()
                    ids.reserveCapacity(perTask)
                    var ordered = true
                    var previous = ""
                    for _ in 0..<perTask {
                        let id = CofferID.generate(.event)
                        // Each task sees its own ids in increasing order too.
                        if id <= previous { ordered = false }
                        previous = id
                        ids.append(id)
                    }
                    return (ids, ordered)
                }
            }
            var all = Set<String>()
            all.reserveCapacity(perTask * 8)
            var ordered = true
            for await (ids, taskOrdered) in group {
                all.formUnion(ids)
                ordered = ordered && taskOrdered
            }
            return (all, ordered)
        }
        XCTAssertEqual(all.count, perTask * 8)
        XCTAssertTrue(ordered)
    }

    private func encode(_ ulid: ULID) -> String {
        String(unsafeUninitializedCapacity: ULID.encodedLength) { buffer in
            ulid.encode(into: buffer, at: 0)
            return ULID.encodedLength
        }
    }
}
