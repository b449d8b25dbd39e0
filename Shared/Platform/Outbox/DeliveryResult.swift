import Shared

/// What `POST /internal/events` answers (DESIGN.md relay contract, made precise for batches):
/// 2xx `{"results":[{"id":…,"status":"applied"|"duplicate"|"ignored"}]}` when every event was applied or
/// already applied; otherwise the events applied before the failure, and the one that failed:
/// `{"error":{…},"results":[…],"failed":"evt_…"}`. A 4xx other than 408/409/429 dead-letters the
/// failed event at once; anything else is retried.
public struct DeliveryResult: Sendable {
    public var settled: [String: String]
    public var failedEventID: String?

    public init(settled: [String: String] = [:], failedEventID: String? = nil) {
        self.settled = settled
        self.failedEventID = failedEventID
    }

    public init(body: [UInt8]) {
        self.init()
        guard let json = try? JSONValue.parse(body) else { return }
        for item in json["results"]?.arrayValue ?? [] {
            if let id = item["id"]?.stringValue, let status = item["status"]?.stringValue { settled[id] = status }
        }
        failedEventID = json["failed"]?.stringValue
    }

    public static func isPermanent(status: Int) -> Bool {
        (400..<500).contains(status) && ![408, 409, 429].contains(status)
    }
}
