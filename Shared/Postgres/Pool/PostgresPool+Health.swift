extension PostgresPool {
    /// `SELECT 1` through the pool within `timeout`. False while the server is down (a refused connect
    /// fails at once) or does not answer in time; true again as soon as it answers.
    public func healthCheck(timeout: Duration = .seconds(2)) async -> Bool {
        await FirstToFinish.run(timeout: timeout, fallback: false) { [self] in
            (try? await query("SELECT 1")) != nil
        }
    }
}
