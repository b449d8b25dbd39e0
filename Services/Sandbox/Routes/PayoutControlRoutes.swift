import HTTP
import Shared

/// Payouts on demand: `POST /_sandbox/payouts/{provider}/{id}/{action}` settles a pending payout now
/// (`process`, `fail`) or reverses a processed one (`reverse`); `GET`/`POST /_sandbox/payouts/balances`
/// show and set the money an account has for payouts (to test a low balance).
enum PayoutControlRoutes {
    static func register(
        on router: Router, simulators: [SandboxProvider: any PayoutSimulator], accounts: AccountRegistry
    ) {
        @Sendable func simulator(_ name: String) throws(HTTPError) -> any PayoutSimulator {
            guard let provider = SandboxProvider(name: name), let simulator = simulators[provider] else {
                throw .notFound("The sandbox simulates no payouts for \"\(name)\".", code: "unknown_provider")
            }
            return simulator
        }
        router.post("/_sandbox/payouts/{provider}/{id}/{action}") { _, context in
            let simulator = try simulator(context.parameter("provider"))
            let id = context.parameter("id")
            let action = context.parameter("action")
            var changed = true
            let object: JSONValue?
            switch action {
            case "process", "fail":
                let result = simulator.settlePayout(id, succeed: action == "process")
                changed = result?.changed ?? false
                object = result?.object
            case "reverse":
                object = try simulator.reversePayout(id)
            default:
                throw HTTPError.notFound("Unknown payout action \"\(action)\" (process, fail or reverse).")
            }
            guard let object else { throw HTTPError.notFound("No \(simulator.provider.rawValue) payout \(id).") }
            context.logger.info(
                "payout changed on request",
                [
                    "provider": .string(simulator.provider.rawValue), "action": .string(action),
                    "changed": .bool(changed),
                ])
            return ControlBody.json(
                .object([
                    "provider": .string(simulator.provider.rawValue), "object_id": .string(id),
                    "action": .string(action), "changed": .bool(changed), "object": object,
                ]))
        }
        router.get("/_sandbox/payouts/balances") { request, _ in
            let query = request.queryParameters
            let simulator = try simulator(query["provider"] ?? "")
            let account = try resolve(simulator.provider, query["account"], accounts)
            return ControlBody.json(balances(simulator, account))
        }
        router.post("/_sandbox/payouts/balances") { request, context in
            let body = try ControlBody.object(request)
            let simulator = try simulator(body["provider"]?.stringValue ?? "")
            let account = try resolve(simulator.provider, body["account"]?.stringValue, accounts)
            guard let pot = body["account_number"]?.stringValue ?? body["currency"]?.stringValue, !pot.isEmpty else {
                throw HTTPError.badRequest(
                    "`currency` (or RazorpayX's `account_number`) names the balance to set.", param: "currency")
            }
            guard let amount = body["available"]?.int64Value, amount >= 0 else {
                throw HTTPError.badRequest(
                    "`available` must be a non-negative integer (minor units).", param: "available")
            }
            try simulator.setPayoutBalance(accountID: account.id, pot: pot, amount: amount)
            context.logger.info(
                "payout balance set",
                ["provider": .string(simulator.provider.rawValue), "account_id": .string(account.id)])
            return ControlBody.json(balances(simulator, account))
        }
    }

    private static func resolve(_ provider: SandboxProvider, _ reference: String?, _ accounts: AccountRegistry)
        throws(HTTPError) -> SandboxAccount
    {
        guard let reference, !reference.isEmpty else {
            throw .badRequest("`account` (its sandbox id or credential) is required.", param: "account")
        }
        guard let account = accounts.resolve(provider, reference: reference) else {
            throw .notFound("No \(provider.rawValue) account with that id or credential.", param: "account")
        }
        return account
    }

    private static func balances(_ simulator: any PayoutSimulator, _ account: SandboxAccount) -> JSONValue {
        let (opening, pots) = simulator.payoutBalances(accountID: account.id)
        return .object([
            "provider": .string(simulator.provider.rawValue), "account_id": .string(account.id),
            "opening": .int(opening), "balances": .object(pots.mapValues(JSONValue.int)),
        ])
    }
}
