import Shared

/// What the control API needs from every simulated provider.
protocol ProviderSimulator: Sendable {
    var provider: SandboxProvider { get }
    /// Plays the customer for an object awaiting them (3-D Secure, Checkout, approval): nil when the
    /// object does not exist; `completed` false when it was not waiting. `succeed` false fails or
    /// abandons it instead.
    func completeAsCustomer(_ objectID: String, succeed: Bool) -> (completed: Bool, object: JSONValue)?
    /// Forgets every object.
    func reset()
}
