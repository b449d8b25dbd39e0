/// Formatting helpers for the Prometheus text exposition format.
enum PrometheusText {
    static func header(_ name: String, _ help: String, _ kind: MetricKind, into out: inout String) {
        out += "# HELP \(name) \(escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    static func sample(
        _ name: String, _ labelNames: [String], _ values: [String], _ value: String,
        extra: (String, String)? = nil, into out: inout String
    ) {
        out += name
        var pairs = Array(zip(labelNames, values))
        if let extra { pairs.append(extra) }
        if !pairs.isEmpty {
            out += "{"
            out += pairs.map { "\($0.0)=\"\(escapeLabel($0.1))\"" }.joined(separator: ",")
            out += "}"
        }
        out += " \(value)\n"
    }

    static func histogram(
        _ family: MetricFamily<Histogram>, _ values: [String], _ child: Histogram, into out: inout String
    ) {
        let snap = child.snapshot()
        let divisor = child.buckets.divisor
        for (index, bound) in child.buckets.bounds.enumerated() {
            sample(
                family.name + "_bucket", family.labelNames, values, String(snap.cumulative[index]),
                extra: ("le", scaled(bound, divisor)), into: &out)
        }
        sample(
            family.name + "_bucket", family.labelNames, values, String(snap.cumulative.last ?? 0),
            extra: ("le", "+Inf"), into: &out)
        sample(family.name + "_sum", family.labelNames, values, scaled(snap.sum, divisor), into: &out)
        sample(family.name + "_count", family.labelNames, values, String(snap.count), into: &out)
    }

    /// `value / divisor` as an exact decimal string (divisor a power of ten), e.g. 2500 / 1_000_000 → "0.0025".
    static func scaled(_ value: Int64, _ divisor: Int64) -> String {
        guard divisor > 1 else { return String(value) }
        let negative = value < 0
        let magnitude = value.magnitude
        let whole = magnitude / UInt64(divisor)
        var fraction = String(magnitude % UInt64(divisor))
        let width = String(divisor).count - 1
        fraction = String(repeating: "0", count: max(0, width - fraction.count)) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let text = fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
        return negative ? "-" + text : text
    }

    static func escapeLabel(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
