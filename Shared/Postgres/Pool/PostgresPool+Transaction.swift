extension PostgresPool {
    /// `BEGIN [ISOLATION LEVEL …]`, `body`, `COMMIT` on one connection. Rolls back when `body` throws.
    ///
    /// On 40001 (serialization_failure, including at COMMIT) or 40P01 (deadlock_detected) the whole
    /// body runs again in a new transaction, after a short jittered pause, up to `maxAttempts` times
    /// in all. **So `body` must be safe to run more than once**: everything it does through the
    /// connection is rolled back between attempts, but side effects outside the database (HTTP calls,
    /// in-memory counters, sent messages) are not. Compute such effects after `transaction` returns.
    ///
    /// If a statement in `body` fails and `body` catches the error and returns anyway, the transaction
    /// is already aborted in PostgreSQL: it is rolled back and that statement's error is thrown.
    @discardableResult
    nonisolated(nonsending)
        public func transaction<T: Sendable>(
            isolation: PostgresIsolation = .readCommitted, maxAttempts: Int = 5,
            _ body: (PostgresConnection) async throws -> T
        ) async throws -> T
    {
        try await transaction(isolation: isolation, maxAttempts: maxAttempts, localSettings: [:], body)
    }

    /// The same, with transaction-local settings (`set_config(name, value, true)`, e.g. row-level
    /// security's tenant) sent in the same round trip as `BEGIN`. Names and values are restricted to
    /// identifier characters (`[A-Za-z0-9_.:-]`), as they are written into the statement.
    @discardableResult
    nonisolated(nonsending)
        public func transaction<T: Sendable>(
            isolation: PostgresIsolation = .readCommitted, maxAttempts: Int = 5,
            localSettings: KeyValuePairs<String, String>,
            _ body: (PostgresConnection) async throws -> T
        ) async throws -> T
    {
        var begin = isolation.beginStatement
        for (name, value) in localSettings {
            guard Self.isSafeSetting(name), Self.isSafeSetting(value), !name.isEmpty else {
                throw PostgresError.misuse("a transaction-local setting must be made of [A-Za-z0-9_.:-]")
            }
            begin += "; SELECT set_config('\(name)', '\(value)', true)"
        }
        var attempt = 1
        while true {
            do {
                return try await withConnection { connection in
                    try await runTransaction(on: connection, begin: begin, body)
                }
            } catch let error as PostgresError
                where (error.isSerializationFailure || error.isDeadlock) && attempt < maxAttempts
            {
                logger.debug(
                    "postgres transaction retried",
                    ["db.sql_state": .optional(error.sqlState), "db.attempt": .integer(attempt)])
                // 2, 4, 8, … ms (capped at 64), jittered so the conflicting transactions do not meet again.
                let base = 2 << min(attempt - 1, 5)
                try await Task.sleep(for: .microseconds(Int.random(in: (base * 500)...(base * 1000))))
                attempt += 1
            }
        }
    }

    static func isSafeSetting(_ text: String) -> Bool {
        text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
                || byte == UInt8(ascii: "-")
        }
    }

    nonisolated(nonsending)
        private func runTransaction<T: Sendable>(
            on connection: PostgresConnection, begin: String, _ body: (PostgresConnection) async throws -> T
        ) async throws -> T
    {
        try await connection.executeScript(unsafeSQL: begin)
        let value: T
        do {
            value = try await body(connection)
        } catch {
            // Roll back here, not only on release, so the retry (or the next user) starts clean. If
            // this fails the connection is broken and release discards it.
            try? await connection.executeScript(unsafeSQL: "ROLLBACK")
            throw error
        }
        if connection.pooled.transactionStatus == .inFailedTransaction {
            try? await connection.executeScript(unsafeSQL: "ROLLBACK")
            throw connection.lastError
                ?? PostgresError(kind: .query, sqlState: "25P02", serverMessage: "the transaction was aborted")
        }
        let commit = try await connection.query("COMMIT")
        // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK, not an error.
        guard commit.commandTag == "COMMIT" else {
            throw PostgresError(
                kind: .query, sqlState: "25P02", serverMessage: "COMMIT was answered with \(commit.commandTag)")
        }
        return value
    }
}
