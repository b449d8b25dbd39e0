import Foundation
import Postgres
import Shared

#if canImport(Glibc)
    import Glibc
#endif

/// Process and pool gauges refreshed on every scrape: resident memory, open file descriptors,
/// database pool usage, dropped log lines.
enum ProcessMetrics {
    static func register(in metrics: MetricsRegistry, pool: PostgresPool, logSink: LogSink, serviceName: String) {
        let resident = metrics.gauge("process_resident_memory_bytes", help: "Resident memory size in bytes.")
        let descriptors = metrics.gauge("process_open_fds", help: "Open file descriptors.")
        let started = metrics.gauge(
            "process_start_time_seconds", help: "Start time of the process since the Unix epoch.")
        started.set(Int64(Date().timeIntervalSince1970))
        let poolConnections = metrics.gauge(
            "coffer_db_pool_connections", help: "Database pool connections by state.", labels: ["state"])
        let poolWaiters = metrics.gauge("coffer_db_pool_waiters", help: "Tasks waiting for a database connection.")
        let droppedLogs = metrics.gauge(
            "coffer_log_dropped_lines", help: "Log lines dropped because the log buffer was full.")
        let info = metrics.gauge(
            "coffer_build_info", help: "Version of the running service.", labels: ["service", "version"])
        info.labels([serviceName, CofferVersion.current]).set(1)
        metrics.addCollector {
            resident.set(residentBytes())
            descriptors.set(openDescriptors())
            let stats = pool.statistics
            poolConnections.labels(["idle"]).set(Int64(stats.idle))
            poolConnections.labels(["in_use"]).set(Int64(stats.inUse))
            poolWaiters.set(Int64(stats.waiters))
            droppedLogs.set(logSink.droppedLines)
        }
    }

    /// From /proc/self/statm (second field, in pages).
    static func residentBytes() -> Int64 {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int64(fields[1]) else { return 0 }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func openDescriptors() -> Int64 {
        Int64((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0)
    }
}
