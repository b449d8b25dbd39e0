import Shared
import XCTest

@testable import Notifications

/// Templates are checked when saved and render values safely.
final class MessageTemplateTests: XCTestCase {
    let offered: Set<String> = ["payee.name", "payout.amount", "payout.id"]

    func testRenderingSubstitutesAndEscapesForHTMLOnly() throws {
        let template = try MessageTemplate(
            "Hi {{ payee.name }}, {{payout.amount}} is on its way ({{payout.id}}).", allowed: offered)
        XCTAssertEqual(template.variables, offered)
        let values = ["payee.name": "<b>Asha</b> & \"Co\" 'x'", "payout.amount": "₹1,234.50", "payout.id": "po_1"]
        XCTAssertEqual(
            template.render(values, html: false), "Hi <b>Asha</b> & \"Co\" 'x', ₹1,234.50 is on its way (po_1).")
        XCTAssertEqual(
            template.render(values, html: true),
            "Hi &lt;b&gt;Asha&lt;/b&gt; &amp; &quot;Co&quot; &#39;x&#39;, ₹1,234.50 is on its way (po_1).")
        XCTAssertEqual(
            try MessageTemplate("{{payout.id}}", allowed: offered).render([:], html: true), "",
            "an absent value is empty")
        XCTAssertEqual(
            try MessageTemplate("no variables { } }}", allowed: offered).render([:], html: false), "no variables { } }}"
        )
        XCTAssertEqual(try MessageTemplate("", allowed: offered).render(["payout.id": "x"], html: false), "")
    }

    func testMistakesAreRefusedAtSaveTimeByName() {
        let cases: [(String, String)] = [
            ("Hi {{payee.name", "template_malformed"), ("{{}}", "template_malformed"),
            ("{{Payee.Name}}", "template_malformed"),
            ("{{payee name}}", "template_malformed"), ("{{payee.email}}", "template_variable_unknown"),
            ("{{" + String(repeating: "a", count: 65) + "}}", "template_malformed"),
        ]
        for (source, code) in cases {
            XCTAssertThrowsError(try MessageTemplate(source, allowed: offered, param: "html_body"), source) { error in
                XCTAssertEqual((error as? DomainError)?.code, code, source)
                XCTAssertEqual((error as? DomainError)?.param, "html_body")
            }
        }
    }
}
