extension PostgresPool {
    /// LISTENs on `channel` over a dedicated connection (not one of the pool's). It reconnects and
    /// re-LISTENs by itself after the connection breaks, then calls `onReconnect`: notifications sent
    /// while it was away are lost, so use that to catch up (e.g. re-read the outbox).
    public func listen(
        channel: String, onReconnect: @escaping @Sendable () -> Void = {},
        onNotification: @escaping @Sendable (PostgresNotification) -> Void
    ) async throws -> PostgresListener {
        if state.withLock({ $0.closed }) { throw PostgresError.poolClosed }
        let listener = try PostgresListener(
            channel: channel,
            parameters: ConnectionParameters(
                configuration: configuration, applicationName: configuration.applicationName + ":listen"),
            logger: logger, onReconnect: onReconnect, onNotification: onNotification)
        try await listener.start()
        listeners.withLock { listeners in
            listeners.removeAll { $0.isCancelled }
            listeners.append(listener)
        }
        // A shutdown that ran while this one was connecting did not see it.
        if state.withLock({ $0.closed }) {
            listener.cancel()
            throw PostgresError.poolClosed
        }
        return listener
    }

    /// `pg_notify(channel, payload)`: delivered to listeners when (and if) the surrounding transaction
    /// commits. Inside a transaction, use `connection.execute("SELECT pg_notify(…)")` instead.
    public func notify(channel: String, payload: String) async throws {
        _ = try await query("SELECT pg_notify(\(channel), \(payload))")
    }
}
