/// Carries a loop-confined object through a `@Sendable` closure that will run back on its loop.
/// Only for objects that are touched on their own loop thread and nowhere else.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
