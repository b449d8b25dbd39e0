import ProviderKit
import XCTest

/// The form encoding Coffer's Stripe adapters send and the sandbox reads: one type both ways, so a
/// value that could change the body's structure round-trips as itself.
final class FormBodyTests: XCTestCase {
    func testHostileValuesRoundTripAndBracketsStayLiteral() throws {
        var form = FormBody()
        form.add("amount", "1000")
        form.add("description", "a&b=c+d e%f 💸 \n")
        form.add("metadata", "coffer id", "pay_1&x=y")
        form.add("skipped", nil)
        let text = String(decoding: form.encoded, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("amount=1000&description=a%26b%3Dc%2Bd%20e%25f%20"), text)
        XCTAssertTrue(text.contains("metadata[coffer%20id]=pay_1%26x%3Dy"), text)
        XCTAssertFalse(text.contains("skipped"))
        let decoded = try FormBody(encoded: form.encoded)
        XCTAssertEqual(decoded.pairs.map(\.name), ["amount", "description", "metadata[coffer id]"])
        XCTAssertEqual(decoded.value("description"), "a&b=c+d e%f 💸 \n")
        XCTAssertEqual(decoded.value("metadata[coffer id]"), "pay_1&x=y")
    }

    func testDecodingReadsPlusAsSpaceAndRefusesMalformedEscapes() throws {
        XCTAssertEqual(
            try FormBody(encoded: Array("a=1+2&b&c=".utf8)).pairs.map { "\($0.name)=\($0.value)" },
            ["a=1 2", "b=", "c="])
        XCTAssertThrowsError(try FormBody(encoded: Array("amount=%zz".utf8)))
        XCTAssertThrowsError(try FormBody(encoded: Array("amount=%".utf8)))
    }
}
