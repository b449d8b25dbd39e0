import Shared

extension StripeSimulator: ProviderSimulator {
    var provider: SandboxProvider { .stripe }

    /// Completes (or fails) 3-D Secure for a PaymentIntent in `requires_action`.
    func completeAsCustomer(_ objectID: String, succeed: Bool) -> (completed: Bool, object: JSONValue)? {
        guard let result = authenticate(objectID, succeed: succeed) else { return nil }
        return (result.changed, result.intent.json(publicURL: context.publicURL))
    }
}
