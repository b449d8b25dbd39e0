import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a command to completion off the Swift concurrency pool (a cluster start can take seconds).
/// posix_spawn + waitpid rather than Foundation's `Process`, whose `waitUntilExit` can miss a
/// child's exit on Linux and hang.
public enum TestProcess {
    public struct Failure: Error, CustomStringConvertible {
        public let command: String
        public let status: Int32
        public let output: String
        public var description: String { "\(command) exited with \(status): \(output)" }
    }

    /// Runs `arguments` (the first is the executable's path) and returns its combined output; throws
    /// when it exits non-zero.
    @discardableResult
    public static func run(_ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try runBlocking(arguments) })
            }
            thread.start()
        }
    }

    static func runBlocking(_ arguments: [String]) throws -> String {
        var template = Array("/tmp/coffer-test-output.XXXXXX".utf8CString)
        let outputFD = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemp($0) } ?? -1
        }
        guard outputFD >= 0 else { throw TestDatabaseError("mkstemp failed") }
        // Not inherited by anything the command leaves running (a server started by pg_ctl).
        _ = fcntl(outputFD, F_SETFD, FD_CLOEXEC)
        let outputPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer {
            close(outputFD)
            unlink(outputPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 2)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ)
        guard spawned == 0 else { throw TestDatabaseError("could not start \(arguments[0]) (errno \(spawned))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw TestDatabaseError("waitpid failed (errno \(errno))") }
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS are macros Swift does not import.
        let exitCode = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        guard exitCode == 0 else {
            throw Failure(command: arguments.joined(separator: " "), status: exitCode, output: output)
        }
        return output
    }
}
