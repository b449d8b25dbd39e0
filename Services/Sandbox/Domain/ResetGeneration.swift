import Synchronization

/// Counts `POST /_sandbox/reset`s. Delayed work (auto-completion, webhook retries) remembers the
/// generation it was scheduled in and does nothing once a reset has forgotten its objects.
final class ResetGeneration: Sendable {
    private let value = Atomic<Int>(0)

    var current: Int { value.load(ordering: .acquiring) }

    func advance() { value.wrappingAdd(1, ordering: .releasing) }
}
