// The Postgres module: Coffer's only way to PostgreSQL, over libpq (no package dependencies).
//
// Shape (outside in):
//   PostgresPool        lends connections FIFO, opens them lazily, replaces broken ones
//     ├ PoolState       the bookkeeping as a lock-protected state machine, no I/O
//     ├ PostgresConnection  a lease, valid only inside withConnection / transaction
//     └ PooledConnection    one ConnectionThread (an OS thread) owning one LibPQSession
//   PostgresListener    LISTEN on a dedicated connection and thread; reconnects by itself
//   Migrator            checksummed, ordered migrations under an advisory lock
//
// Blocking libpq calls run only on the connection threads; callers suspend on continuations, so
// the cooperative pool never blocks. Using it from a service:
//
//   let pool = PostgresPool(configuration: .init(url: config.databaseURL), logger: logger)
//   _ = try await Migrator(pool: ownerPool, schema: "payments", migrations: Migrations.all, logger: logger)
//       .migrate(grantTo: "coffer_app")
//   let payment = try await pool.transaction { db in
//       // Row-level security key for this transaction only (set_config(..., true) = SET LOCAL).
//       try await db.execute("SELECT set_config('app.tenant_id', \(tenantID), true)")
//       let rows = try await db.query("SELECT id, amount FROM payments.payments WHERE id = \(id) FOR UPDATE")
//       …
//   }
//
// Rules worth knowing:
// - Every interpolated value is a bind; raw SQL needs \(unsafeSQL:) and identifiers \(identifier:).
// - transaction bodies can run more than once (40001/40P01 retries): no side effects outside the
//   database inside them.
// - Group commit: PostgresConnection.pipeline sends many statements in one round trip; outside a
//   transaction they commit together.
// - Cancelling the calling task does not interrupt a statement already running (libpq blocks);
//   bound statements with `statementTimeout`.
// - Errors: PostgresError.description is safe to log; server messages are in debugDescription.
