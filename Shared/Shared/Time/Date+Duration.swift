import Foundation

extension Date {
    /// This date moved by a `Duration` (configuration is in durations; `Date` counts seconds).
    public func adding(_ duration: Duration) -> Date {
        addingTimeInterval(
            TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18)
    }
}
