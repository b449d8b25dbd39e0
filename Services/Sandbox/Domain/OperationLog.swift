import Foundation
import Shared
import Synchronization

/// Every provider operation that executed, in memory for the control API, and queued for the
/// operation store to persist in batches off the request path.
final class OperationLog: Sendable {
    private struct State {
        var operations: [SandboxOperation] = []
        var unpersisted: [SandboxOperation] = []
        var nextSequence: Int64 = 1
    }

    /// Which operations a listing wants.
    struct Filter: Sendable {
        var provider: SandboxProvider?
        var kind: String?
        /// Operations after this sequence number.
        var afterSequence: Int64?
        /// Operations at or after this time (Unix milliseconds).
        var sinceMilliseconds: Int64?
        var cofferID: String?
        var objectID: String?
    }

    private let state = Mutex(State())

    @discardableResult
    func record(_ draft: OperationDraft) -> SandboxOperation {
        let now = Timestamp.nowUnixMilliseconds()
        return state.withLock { state in
            let operation = SandboxOperation(
                sequence: state.nextSequence, provider: draft.provider, kind: draft.kind.rawValue,
                accountID: draft.accountID,
                objectID: draft.objectID, relatedObjectID: draft.relatedObjectID, idempotencyKey: draft.idempotencyKey,
                cofferID: draft.cofferID, amount: draft.amount, currency: draft.currency?.uppercased(),
                atMilliseconds: now)
            state.nextSequence += 1
            state.operations.append(operation)
            state.unpersisted.append(operation)
            return operation
        }
    }

    func list(_ filter: Filter) -> [SandboxOperation] {
        state.withLock { state in
            var start = 0
            if let after = filter.afterSequence {
                // Sequences only increase, so binary search for the first one after the cursor.
                var low = 0
                var high = state.operations.count
                while low < high {
                    let middle = (low + high) / 2
                    if state.operations[middle].sequence <= after { low = middle + 1 } else { high = middle }
                }
                start = low
            }
            return state.operations[start...].filter { operation in
                (filter.provider == nil || operation.provider == filter.provider)
                    && (filter.kind == nil || operation.kind == filter.kind)
                    && (filter.sinceMilliseconds.map { operation.atMilliseconds >= $0 } ?? true)
                    && (filter.cofferID == nil || operation.cofferID == filter.cofferID)
                    && (filter.objectID == nil || operation.objectID == filter.objectID
                        || operation.relatedObjectID == filter.objectID)
            }
        }
    }

    /// Hands the operations not yet persisted to the store.
    func takeUnpersisted() -> [SandboxOperation] {
        state.withLock { state in
            defer { state.unpersisted.removeAll(keepingCapacity: true) }
            return state.unpersisted
        }
    }

    /// Puts back a batch the store could not write, ahead of newer ones.
    func returnUnpersisted(_ operations: [SandboxOperation]) {
        state.withLock { $0.unpersisted.insert(contentsOf: operations, at: 0) }
    }

    /// Loads what a previous run of the sandbox persisted (start-up).
    func restore(_ operations: [SandboxOperation]) {
        state.withLock { state in
            let sorted = operations.sorted { $0.sequence < $1.sequence }
            state.operations = sorted + state.operations
            state.nextSequence = max(state.nextSequence, (sorted.last?.sequence ?? 0) + 1)
        }
    }

    /// Forgets everything; sequence numbers keep increasing so cursors stay meaningful.
    func reset() {
        state.withLock { state in
            state.operations.removeAll()
            state.unpersisted.removeAll()
        }
    }

    var count: Int { state.withLock { $0.operations.count } }
}
