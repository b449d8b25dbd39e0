extension JSONValue {
    /// Follows a dotted path such as `data.object.id` or `items.0.id`: each segment is an object key,
    /// or an array index when the value at that point is an array. Keys that themselves contain a dot
    /// cannot be reached this way; use the subscripts.
    public func value(at path: String) -> JSONValue? {
        var current = self
        for segment in path.split(separator: ".", omittingEmptySubsequences: false) {
            switch current {
            case .object(let members):
                guard let next = members[String(segment)] else { return nil }
                current = next
            case .array(let elements):
                // Only plain decimal indexes: "+1" or " 1" would be accepted by Int(_:) otherwise.
                guard !segment.isEmpty, segment.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }),
                    let index = Int(segment), elements.indices.contains(index)
                else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }
}
