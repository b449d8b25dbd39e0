/// Something the schema or a held lock should have made impossible. Logged in full, answered as a 500.
struct PaymentsInvariantError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
