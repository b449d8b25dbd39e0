import HTTP
import Shared

/// RazorpayX's payouts at their real paths under `/razorpay` (`POST /v1/payouts` with
/// `X-Payout-Idempotency`, fetch, list by reference) and the business account balances.
enum RazorpayPayoutRoutes {
    static func register(on router: Router, api: RazorpayAPI) {
        let simulator = api.simulator
        router.post("/razorpay/v1/payouts") { request, context in
            let key = request.headers["X-Payout-Idempotency"]
            return await api.call(request, context, idempotencyKey: key, keyRule: .payout) {
                input, account throws(RazorpayError) in
                try simulator.createPayout(RazorpayPayoutRequest(input), account: account, idempotencyKey: key)
            }
        }
        router.get("/razorpay/v1/payouts/{id}") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, account throws(RazorpayError) in
                try simulator.payout(id, accountID: account.id)
            }
        }
        router.get("/razorpay/v1/payouts") { request, context in
            let query = request.queryParameters
            return await api.call(request, context) { _, account throws(RazorpayError) in
                RazorpayRoutes.collection(try simulator.payouts(query, accountID: account.id))
            }
        }
        router.get("/razorpay/v1/banking_balances") { request, context in
            await api.call(request, context) { _, account throws(RazorpayError) in
                RazorpayRoutes.collection(simulator.bankingBalances(account))
            }
        }
    }
}
