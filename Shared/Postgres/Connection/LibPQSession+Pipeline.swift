import CLibPQ

#if canImport(Glibc)
    import Glibc
#endif

extension LibPQSession {
    /// Sends all queries, one Sync, then reads all results (libpq pipeline mode). Non-blocking
    /// sockets while it runs, so a large batch cannot deadlock with both sides' buffers full.
    func pipeline(_ queries: [PostgresQuery]) throws(PostgresError) -> [ResultStorage] {
        let connection = try open()
        // Refuse a NUL byte before anything is sent, so the connection stays usable.
        for query in queries
        where query.sql.utf8.contains(0) || query.binds.contains(where: { $0?.utf8.contains(0) ?? false }) {
            throw CStringArray.nulByteError
        }
        // Prepared statements are prepared (once per connection) before the pipeline starts, so the
        // pipeline itself only executes them.
        var names: [String?] = []
        for query in queries { names.append(query.usesPreparedStatement ? try preparedName(for: query) : nil) }
        guard PQsetnonblocking(connection, 1) == 0 else {
            throw LibPQResult.error(from: nil, connection: connection)
        }
        defer { PQsetnonblocking(connection, 0) }
        guard PQenterPipelineMode(connection) == 1 else {
            throw LibPQResult.error(from: nil, connection: connection)
        }
        let results: Result<[ResultStorage], PostgresError>
        do {
            for (query, name) in zip(queries, names) {
                let sent: Int32
                if let name {
                    sent = try CStringArray.with(query.binds) { values in
                        PQsendQueryPrepared(connection, name, Int32(values.count), values, nil, nil, 0)
                    }
                } else {
                    sent = try CStringArray.with(query.sql) { sql in
                        try CStringArray.with(query.binds) { values in
                            PQsendQueryParams(connection, sql, Int32(values.count), nil, values, nil, nil, 0)
                        }
                    }
                }
                guard sent == 1 else { throw LibPQResult.error(from: nil, connection: connection) }
            }
            guard PQpipelineSync(connection) == 1 else { throw LibPQResult.error(from: nil, connection: connection) }
            results = try readPipelineResults(connection, count: queries.count)
        } catch {
            // Some queries may be queued or half sent: the protocol state is unknown.
            let failure = (error as? PostgresError) ?? CStringArray.nulByteError
            poison()
            throw failure
        }
        // A statement's error (already read up to the Sync) leaves the connection usable.
        if PQexitPipelineMode(connection) != 1 { poison() }
        return try results.get()
    }

    /// Reads results up to the Sync. A failed statement's error is kept and the aborted ones after it
    /// are skipped; the connection stays usable once the Sync arrives.
    private func readPipelineResults(_ connection: OpaquePointer, count: Int) throws(PostgresError)
        -> Result<[ResultStorage], PostgresError>
    {
        var results: [ResultStorage] = []
        results.reserveCapacity(count)
        var firstError: PostgresError?
        while true {
            try waitUntilResultReady(connection)
            guard let result = PQgetResult(connection) else {
                // End of one query's results.
                continue
            }
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_PIPELINE_SYNC:
                if let firstError { return .failure(firstError) }
                return .success(results)
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                results.append(LibPQResult.storage(from: result))
            case PGRES_EMPTY_QUERY, PGRES_PIPELINE_ABORTED:
                results.append(.empty)
            default:
                let error = LibPQResult.error(from: result, connection: connection)
                if error.kind == .connectionLost { throw error }
                if firstError == nil { firstError = error }
                results.append(.empty)
            }
        }
    }

    /// Flushes what is still buffered and waits on the socket until `PQgetResult` will not block.
    private func waitUntilResultReady(_ connection: OpaquePointer) throws(PostgresError) {
        while true {
            let flush = PQflush(connection)
            guard flush >= 0 else { throw LibPQResult.error(from: nil, connection: connection) }
            if flush == 0, PQisBusy(connection) == 0 { return }
            var descriptor = pollfd(
                fd: PQsocket(connection), events: Int16(POLLIN) | (flush == 1 ? Int16(POLLOUT) : 0), revents: 0)
            let ready = poll(&descriptor, 1, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                throw PostgresError(kind: .connectionLost, serverMessage: "poll failed on the connection socket")
            }
            if descriptor.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0 {
                guard PQconsumeInput(connection) == 1 else {
                    throw LibPQResult.error(from: nil, connection: connection)
                }
            }
        }
    }
}
