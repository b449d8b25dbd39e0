import Shared

extension PostgresPool {
    /// A connection that is open, answers, and is not inside a transaction.
    func acquire() async throws(PostgresError) -> PooledConnection {
        var grant = try await obtainGrant()
        while true {
            switch grant {
            case .connection(let connection, let suspect):
                var healthy = !connection.idleSocketHasInput && connection.isUsable
                if healthy, suspect { healthy = await connection.validate() }
                if healthy { return connection }
                // Stale (the server said goodbye while it sat idle): replace it in the same slot, and
                // treat the other idle connections as suspect too.
                logger.info("postgres connection replaced", ["db.connection_id": .integer(connection.id)])
                state.withLock { $0.recordFailure() }
                await connection.close()
                grant = .slot
            case .slot:
                return try await openConnectionInSlot()
            }
        }
    }

    /// Takes a connection back. Broken ones, or ones a body left with a statement running, are closed;
    /// an open transaction is rolled back first.
    func release(_ connection: PooledConnection) async {
        var reusable = connection.isUsable && !connection.hasJobInFlight
        if reusable, connection.transactionStatus != .idle {
            let rolledBack =
                (try? await connection.run { session throws(PostgresError) in
                    try session.executeScript("ROLLBACK")
                }) != nil
            reusable = rolledBack && connection.isUsable && connection.transactionStatus == .idle
        }
        guard reusable else {
            await discard(connection, afterFailure: !connection.isUsable)
            return
        }
        switch state.withLock({ $0.checkIn(connection) }) {
        case .handOver(let waiter, let grant):
            waiter.timeout?.cancel()
            waiter.ticket.resume(returning: grant)
        case .idle:
            break
        case .close:
            await connection.close()
        }
    }

    func discard(_ connection: PooledConnection, afterFailure: Bool) async {
        logger.info(
            "postgres connection discarded",
            ["db.connection_id": .integer(connection.id), "db.after_failure": .bool(afterFailure)])
        await connection.close()
        if let (waiter, grant) = state.withLock({ $0.discarded(afterFailure: afterFailure) }) {
            waiter.timeout?.cancel()
            waiter.ticket.resume(returning: grant)
        }
    }

    private func obtainGrant() async throws(PostgresError) -> PoolBook.Grant {
        if let immediate = state.withLock({ $0.tryAcquire() }) { return try immediate.get() }
        let id = state.withLock { $0.makeID() }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    wait(id: id, continuation: continuation)
                }
            } onCancel: {
                if let waiter = state.withLock({ $0.removeWaiter(id: id) }) {
                    waiter.timeout?.cancel()
                    waiter.ticket.resume(throwing: CancellationError())
                }
            }
        } catch let error as PostgresError {
            throw error
        } catch {
            // Cancelled while waiting: the caller's task is going away; report it as a pool timeout
            // (the error type callers already handle) with a message saying why.
            throw PostgresError(kind: .poolTimeout, serverMessage: "cancelled while waiting for a connection")
        }
    }

    private func wait(id: Int, continuation: CheckedContinuation<PoolBook.Grant, any Error>) {
        // Checked again under the lock: a connection may have come back since the fast path.
        let immediate = state.withLock { state -> Result<PoolBook.Grant, PostgresError>? in
            if let grant = state.tryAcquire() { return grant }
            state.enqueue(PoolBook.Waiter(id: id, ticket: continuation, timeout: nil))
            return nil
        }
        if let immediate {
            continuation.resume(with: immediate.mapError { $0 as any Error })
            return
        }
        let timeout = configuration.acquireTimeout
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            if let waiter = state.withLock({ $0.removeWaiter(id: id) }) {
                logger.warning("postgres pool exhausted", ["db.waited_ms": .duration(milliseconds: timeout)])
                waiter.ticket.resume(throwing: PostgresError(kind: .poolTimeout))
            }
        }
        if !state.withLock({ $0.setTimeout(timer, forWaiter: id) }) { timer.cancel() }
        // A cancellation that raced ahead of the enqueue found no waiter to remove: look again.
        if Task.isCancelled, let waiter = state.withLock({ $0.removeWaiter(id: id) }) {
            timer.cancel()
            waiter.ticket.resume(throwing: CancellationError())
        }
    }

    /// Opens a connection for a slot the caller holds; on failure the slot is given back (to the next
    /// waiter, if any) and the error thrown.
    private func openConnectionInSlot() async throws(PostgresError) -> PooledConnection {
        let now = ContinuousClock.now
        if let backoff = state.withLock({ $0.connectBackoff(now: now) }) {
            // Recent connects failed: fail fast instead of adding to a connection storm.
            giveBackSlot(attempted: false)
            throw PostgresError(
                kind: .connectionFailed,
                serverMessage: "not reconnecting for another \(backoff.roundedUpMilliseconds) ms after failed connects")
        }
        let id = state.withLock { $0.makeID() }
        do throws(PostgresError) {
            let connection = try await PooledConnection.open(
                id: id, parameters: parameters, threadName: "coffer-pg-\(id)", logger: logger)
            let isClosed = state.withLock { state in
                state.connectSucceeded()
                return state.closed
            }
            if isClosed {
                await connection.close()
                giveBackSlot(attempted: false)
                throw PostgresError.poolClosed
            }
            logger.debug("postgres connection opened", ["db.connection_id": .integer(id)])
            return connection
        } catch {
            // `.poolClosed` comes from above, where the slot was already given back.
            if error.kind != .poolClosed {
                logger.warning(
                    "postgres connect failed",
                    ["db.url": .string(configuration.redactedURL), "error": .string(error.debugDescription)])
                giveBackSlot(attempted: true)
            }
            throw error
        }
    }

    private func giveBackSlot(attempted: Bool) {
        let now = ContinuousClock.now
        if let (waiter, grant) = state.withLock({ $0.connectFailed(now: now, attempted: attempted) }) {
            waiter.timeout?.cancel()
            waiter.ticket.resume(returning: grant)
        }
    }
}
