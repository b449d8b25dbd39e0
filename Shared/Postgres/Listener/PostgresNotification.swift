/// A NOTIFY received by a `PostgresListener`.
public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
    /// The server process that sent it.
    public var processID: Int32

    public init(channel: String, payload: String, processID: Int32 = 0) {
        self.channel = channel
        self.payload = payload
        self.processID = processID
    }
}
