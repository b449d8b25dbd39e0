import Foundation
import HTTP
import Shared

/// `cofferctl livemode-report`: lists money that crossed modes before modes were checked end to end
/// (issue 9): test payments credited to live payees (and the reverse), the ledger transactions that
/// posted them, the balance entries and payouts they touched, and whether each affected balance is
/// still held or was reversed by two operators (`POST /admin/balance-holds/{id}/reverse` on payouts).
struct LivemodeReportCommand: CtlCommand {
    let name = "livemode-report"
    let summary = "List money that crossed between test and live modes"
    let usage = """
        cofferctl livemode-report [--json]

        Calls GET /admin/livemode-report on payments (PAYMENTS_INTERNAL_URL) and on payouts
        (PAYOUTS_INTERNAL_URL) with COFFER_ADMIN_TOKEN, and prints every conflict (a payment of one mode
        whose payee or recruiter is of the other), the mixed ledger transactions, balance entries and
        payouts, each hold's status, and how much is still of unknown mode.
        A held balance is released only by a reversal two operators approve:
          POST $PAYOUTS_INTERNAL_URL/admin/balance-holds/{id}/reverse {"reason": "…"}   (once by each)
        Exit status: 0 when nothing crossed modes or everything that did was reversed and every row's
        mode is known; 1 when a conflict is open, a mixed row exists or a mode is still unknown; 2 when
        a service could not be asked.
        """

    func run(arguments: [String], environment: CtlEnvironment, output: CtlOutput) async -> Int32 {
        guard let token = environment.adminToken else {
            output.line("cofferctl livemode-report: COFFER_ADMIN_TOKEN (or COFFER_ADMIN_TOKENS) is not set")
            return 2
        }
        let client = LoopHTTPClient()
        var reports: [JSONValue] = []
        for service in ["payments", "payouts"] {
            let url = environment.internalURL(service) + "/admin/livemode-report"
            guard
                let response = try? await client.send(
                    HTTPClientRequest(
                        method: .GET, url: url, headers: ["Authorization": "Bearer " + token],
                        timeout: .seconds(30))),
                response.status.isSuccess, let report = try? JSONValue.parse(response.body)
            else {
                output.line("cofferctl livemode-report: \(service) could not be asked (\(url))")
                return 2
            }
            reports.append(report)
        }
        let clean = reports.allSatisfy { $0["clean"]?.boolValue == true }
        if arguments.contains("--json") {
            output.line(
                String(
                    decoding: JSONValue.object(["clean": .bool(clean), "reports": .array(reports)]).serialized(),
                    as: UTF8.self))
            return clean ? 0 : 1
        }
        let payments = reports[0], payouts = reports[1]
        output.line(
            "Payments: \(payments["open_conflicts"]?.int64Value ?? 0) open conflict(s); payees of unknown mode: "
                + "\(payments["payees_mode_unknown"]?.int64Value ?? 0); ledger transactions of unknown mode: "
                + "\(payments["ledger_transactions_mode_unknown"]?.int64Value ?? 0)")
        for conflict in payments["conflicts"]?.arrayValue ?? [] {
            let from = conflict["payment_livemode"]?.boolValue == true ? "live" : "test"
            let to = conflict["payee_livemode"]?.boolValue == true ? "live" : "test"
            output.line(
                "  \(conflict["status"]?.stringValue ?? "?")  \(conflict["payment_id"]?.stringValue ?? "?") (\(from)) credited "
                    + "\(conflict["amount"]?.int64Value ?? 0) \(conflict["currency"]?.stringValue ?? "") to \(conflict["role"]?.stringValue ?? "payee") "
                    + "\(conflict["payee_id"]?.stringValue ?? "?") (\(to)); tenant \(conflict["tenant_id"]?.stringValue ?? "?")"
            )
        }
        for transaction in payments["ledger_transactions_mixed"]?.arrayValue ?? [] {
            output.line(
                "  ledger \(transaction["id"]?.stringValue ?? "?") \(transaction["kind"]?.stringValue ?? "") "
                    + "\(transaction["reference"]?.stringValue ?? "") posts to payee \(transaction["payee_id"]?.stringValue ?? "?") of the other mode"
            )
        }
        output.line("Payouts: \(payouts["open_holds"]?.int64Value ?? 0) held balance(s)")
        for hold in payouts["balance_holds"]?.arrayValue ?? [] {
            output.line(
                "  \(hold["status"]?.stringValue ?? "?")  \(hold["id"]?.stringValue ?? "?") payee \(hold["payee_id"]?.stringValue ?? "?") "
                    + "\(hold["amount"]?.int64Value ?? 0) \(hold["currency"]?.stringValue ?? "") from \(hold["source_ids"]?.arrayValue?.count ?? 0) source(s)"
                    + (hold["requested_by"]?.stringValue.map {
                        "; reversal requested by \($0), awaiting a second operator"
                    } ?? ""))
        }
        for entry in payouts["balance_entries_mixed"]?.arrayValue ?? [] {
            output.line(
                "  balance entry \(entry["id"]?.int64Value ?? 0) \(entry["reason"]?.stringValue ?? "") \(entry["amount"]?.int64Value ?? 0) "
                    + "\(entry["currency"]?.stringValue ?? "") from \(entry["source_id"]?.stringValue ?? "?") (hold \(entry["hold_id"]?.stringValue ?? "?"))"
            )
        }
        for payout in payouts["payouts_mixed"]?.arrayValue ?? [] {
            output.line(
                "  payout \(payout["id"]?.stringValue ?? "?") is of another mode than its payee \(payout["payee_id"]?.stringValue ?? "?")"
            )
        }
        output.line(clean ? "Clean: no money crossed modes that is not reversed." : "Not clean: see above.")
        return clean ? 0 : 1
    }
}
