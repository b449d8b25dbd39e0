import Postgres
import Shared

/// Registered accounts, kept in `sandbox.accounts` so a restarted sandbox still knows the credentials
/// and webhook endpoints it was configured with (objects and behaviour are not kept).
struct AccountStore: Sendable {
    let database: PostgresPool

    func save(_ account: SandboxAccount) async throws {
        _ = try await database.execute(
            """
            INSERT INTO sandbox.accounts (provider, credential, configuration)
            VALUES (\(account.provider.rawValue), \(account.credential), \(account.storedConfiguration.jsonString)::jsonb)
            ON CONFLICT (provider, credential) DO UPDATE SET configuration = excluded.configuration, updated_at = now()
            """)
    }

    func deleteAll() async throws {
        _ = try await database.execute("DELETE FROM sandbox.accounts")
    }

    func load() async throws -> [SandboxAccount] {
        let rows = try await database.query(
            "SELECT configuration::text FROM sandbox.accounts ORDER BY provider, credential")
        var accounts: [SandboxAccount] = []
        for row in rows {
            let text = try row.decode(String.self, at: 0)
            if let stored = try? JSONValue.parse(text), let account = SandboxAccount(stored: stored) {
                accounts.append(account)
            }
        }
        return accounts
    }
}
