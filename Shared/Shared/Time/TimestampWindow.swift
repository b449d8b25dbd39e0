/// "Is this signed time close enough to now?" for Unix-second timestamps a client sends. The
/// subtraction cannot trap however extreme the timestamp (`Int64.min` included): an overflow means
/// the two times are further apart than any tolerance.
public enum TimestampWindow {
    public static func contains(_ signed: Int64, now: Int64, tolerance: Int64) -> Bool {
        let (difference, overflow) = now.subtractingReportingOverflow(signed)
        guard !overflow, difference != .min else { return false }
        return difference.magnitude <= tolerance.magnitude
    }
}
