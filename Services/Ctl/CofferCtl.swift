import Foundation
import Platform

/// `cofferctl`: operating Coffer from a terminal. Every runbook step is a command here.
public enum CofferCtl {
    static let commands: [any CtlCommand] = [StatusCommand(), KeysCommand(), AuditCommand(), LivemodeReportCommand()]

    public static func main(
        arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        output: CtlOutput = .standard
    ) async -> Int32 {
        var arguments = arguments
        var envFile: String?
        if let index = arguments.firstIndex(of: "--env-file"), index + 1 < arguments.count {
            envFile = arguments[index + 1]
            arguments.removeSubrange(index...(index + 1))
        }
        let ctlEnvironment = CtlEnvironment(processEnvironment: environment, envFile: envFile)
        guard let first = arguments.first else {
            output.line(help)
            return 64
        }
        switch first {
        case "--help", "-h", "help":
            if arguments.count > 1, let command = commands.first(where: { $0.name == arguments[1] }) {
                output.line(command.usage)
            } else {
                output.line(help)
            }
            return 0
        case "--version", "version":
            output.line("cofferctl \(CofferVersion.current)")
            return 0
        default:
            guard let command = commands.first(where: { $0.name == first }) else {
                output.line("cofferctl: unknown command \"\(first)\"\n")
                output.line(help)
                return 64
            }
            let rest = Array(arguments.dropFirst())
            if rest.contains("--help") || rest.contains("-h") {
                output.line(command.usage)
                return 0
            }
            return await command.run(arguments: rest, environment: ctlEnvironment, output: output)
        }
    }

    static var help: String {
        var text = """
            cofferctl \(CofferVersion.current) — operate Coffer

            Usage: cofferctl [--env-file FILE] <command> [options]

            Commands:

            """
        for command in commands {
            text +=
                "  " + command.name + String(repeating: " ", count: max(1, 14 - command.name.count)) + command.summary
                + "\n"
        }
        text += """

            Service URLs and credentials come from the environment (INGRESS_URL, PAYMENTS_URL, …,
            COFFER_ADMIN_TOKEN) or from .run/coffer.env, which `make run` writes.
            Run `cofferctl help <command>` for a command's options.
            """
        return text
    }
}
