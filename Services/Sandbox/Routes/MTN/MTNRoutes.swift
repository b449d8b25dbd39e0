import HTTP
import Shared

/// MTN MoMo's Disbursements API under `/mtn` at its real paths: `POST /disbursement/token/` for a
/// bearer token, then transfers (`202 Accepted`, then polled or called back), the wallet balance and
/// the payee check — each call with the product's `Ocp-Apim-Subscription-Key` and `X-Target-Environment`.
enum MTNRoutes {
    static func register(on router: Router, simulator: MTNSimulator) {
        let api = MTNAPI(simulator: simulator, gate: ProviderGate(context: simulator.context, dialect: MTNDialect()))

        router.post("/mtn/disbursement/token") { request, _ in
            token(request, simulator: simulator)
        }
        router.post("/mtn/disbursement/v1_0/transfer") { request, context in
            await api.call(request, context) { account throws(MTNError) in
                let transfer = try MTNTransferRequest(request, walletCurrency: account.walletCurrency ?? "EUR")
                try simulator.createTransfer(transfer, account: account)
                return (HTTPStatus(202), nil)
            }
        }
        router.get("/mtn/disbursement/v1_0/transfer/{reference_id}") { request, context in
            let referenceID = context.parameter("reference_id")
            return await api.call(request, context) { account throws(MTNError) in
                (.ok, try simulator.transfer(referenceID, accountID: account.id))
            }
        }
        router.get("/mtn/disbursement/v1_0/account/balance") { request, context in
            await api.call(request, context) { account throws(MTNError) in
                (.ok, simulator.balance(account))
            }
        }
        router.get("/mtn/disbursement/v1_0/accountholder/{type}/{id}/active") { request, context in
            let partyID = context.parameter("id")
            return await api.call(request, context) { _ throws(MTNError) in
                (.ok, .object(["result": .bool(simulator.isActive(partyID: partyID))]))
            }
        }
    }

    /// `POST /disbursement/token/`: Basic `api_user:api_key` and the subscription key →
    /// `{"access_token","token_type":"access_token","expires_in"}`.
    private static func token(_ request: HTTPRequest, simulator: MTNSimulator) -> HTTPResponse {
        guard let subscriptionKey = request.headers["Ocp-Apim-Subscription-Key"] else {
            return MTNError.subscriptionKey(missing: true).response
        }
        let credentials = AuthorizationHeader.basic(request.headers)
        let accounts = simulator.context.accounts
        guard let user = credentials?.user, let account = accounts.account(.mtn, credential: user),
            let expected = account.subscriptionKey, ConstantTime.equals(expected, subscriptionKey)
        else { return MTNError.subscriptionKey(missing: false).response }
        guard let credentials,
            accounts.authenticate(.mtn, credential: credentials.user, secret: credentials.password) != nil
        else { return .json(.unauthorized, bytes: JSONValue.object(["error": "login_failed"]).serialized()) }
        return .json(
            .ok,
            bytes: JSONValue.object([
                "access_token": .string(simulator.tokens.issue(accountID: account.id)), "token_type": "access_token",
                "expires_in": .int(simulator.tokens.lifetime.components.seconds),
            ]).serialized())
    }
}

/// The subscription key, bearer token and target environment around every MTN API call, then the gate.
struct MTNAPI: Sendable {
    let simulator: MTNSimulator
    let gate: ProviderGate

    /// `body` returns the status and the JSON to answer with (nil for an empty body).
    func call(
        _ request: HTTPRequest, _ context: RequestContext,
        _ body: @Sendable (SandboxAccount) throws(MTNError) -> (HTTPStatus, JSONValue?)
    ) async -> HTTPResponse {
        guard let subscriptionKey = request.headers["Ocp-Apim-Subscription-Key"] else {
            return MTNError.subscriptionKey(missing: true).response
        }
        guard let token = AuthorizationHeader.bearer(request.headers),
            case .valid(let accountID) = simulator.tokens.look(up: token),
            let account = simulator.context.accounts.account(id: accountID)
        else { return MTNError.invalidToken().response }
        guard let expected = account.subscriptionKey, ConstantTime.equals(expected, subscriptionKey) else {
            return MTNError.subscriptionKey(missing: false).response
        }
        guard request.headers["X-Target-Environment"] == (account.targetEnvironment ?? "sandbox") else {
            return MTNError.targetEnvironment().response
        }
        return await gate.run(account: account, idempotency: nil, logger: context.logger) {
            let (status, json) = try body(account)
            guard let json else { return HTTPResponse(status: status) }
            return .json(status, bytes: json.serialized())
        }
    }
}
