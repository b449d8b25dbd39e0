/// One cofferctl command: the runbook as commands, each with its own help.
public protocol CtlCommand: Sendable {
    var name: String { get }
    var summary: String { get }
    var usage: String { get }
    func run(arguments: [String], environment: CtlEnvironment, output: CtlOutput) async -> Int32
}

/// Where commands write; tests capture it.
public final class CtlOutput: @unchecked Sendable {
    // @unchecked: commands run one at a time and write sequentially.
    private let write: (String) -> Void

    public init(write: @escaping (String) -> Void) { self.write = write }

    public static let standard = CtlOutput { print($0) }

    public func line(_ text: String = "") { write(text) }
}
