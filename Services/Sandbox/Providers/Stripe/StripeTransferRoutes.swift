import HTTP
import Shared

/// Stripe Connect's transfers and the platform balance they draw on, at their real paths
/// (`/stripe/v1/transfers`, `/stripe/v1/balance`), through the same authentication, idempotency and
/// gate as every Stripe call.
enum StripeTransferRoutes {
    static func register(on router: Router, api: StripeAPI) {
        let simulator = api.simulator
        router.post("/stripe/v1/transfers") { request, context in
            await api.call(request, context) { form, caller throws(StripeError) in
                try simulator.createTransfer(form, caller: caller)
            }
        }
        router.get("/stripe/v1/transfers") { request, context in
            await api.call(request, context) { form, caller throws(StripeError) in
                try simulator.transfers(form, accountID: caller.accountID)
            }
        }
        router.get("/stripe/v1/transfers/{id}") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, caller throws(StripeError) in
                try simulator.transfer(id, accountID: caller.accountID)
            }
        }
        router.post("/stripe/v1/transfers/{id}/reversals") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { form, caller throws(StripeError) in
                try simulator.reverseTransfer(id, form, caller: caller)
            }
        }
        router.get("/stripe/v1/transfers/{id}/reversals") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, caller throws(StripeError) in
                try simulator.transferReversals(id, accountID: caller.accountID)
            }
        }
        router.get("/stripe/v1/balance") { request, context in
            await api.call(request, context) { _, caller throws(StripeError) in
                simulator.balance(accountID: caller.accountID)
            }
        }
    }
}
