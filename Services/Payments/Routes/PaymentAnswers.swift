import HTTP
import Platform
import Shared

/// How each payment and refund call's outcome reads to the client, and to a retry of its idempotency
/// key (the same bytes: the unit of work stores them). `settled` is the call's success status, `pending`
/// is 202 (the outcome is not known yet; the object says where it stands), `refused` is the provider's
/// refusal as an error that carries the object.
enum PaymentAnswers {
    static func answer<Object: Sendable>(
        _ outcome: CallOutcome<Object>, settled: HTTPStatus, json: (Object) -> JSONValue,
        requestID: String
    ) -> StoredAnswer {
        switch outcome {
        case .settled(let object): .json(settled, json(object))
        case .pending(let object): .json(.accepted, json(object))
        case .refused(let error):
            StoredAnswer(
                status: DomainError.status(of: error.kind).code,
                body: ErrorBody.bytes(
                    code: error.code, message: error.message, requestID: requestID, param: error.param,
                    objects: error.objects))
        }
    }

    static func payment(_ settled: HTTPStatus, _ request: RequestInfo) -> Payments.Answer {
        let requestID = request.requestID
        return { outcome in answer(outcome, settled: settled, json: \.json, requestID: requestID) }
    }

    /// A refund waiting for approval was created (201) though nothing was sent.
    static func refund(_ settled: HTTPStatus, _ request: RequestInfo) -> Refunds.Answer {
        let requestID = request.requestID
        return { outcome in answer(outcome, settled: settled, json: \.json, requestID: requestID) }
    }

    /// The response for an outcome: what the unit of work stored, or the same answer made now.
    static func response<Object: Sendable>(
        _ committed: Committed<CallOutcome<Object>>,
        _ make: @Sendable (CallOutcome<Object>) -> StoredAnswer
    ) -> HTTPResponse {
        committed.response { outcome in
            let answer = make(outcome)
            return .json(HTTPStatus(answer.status), bytes: answer.body)
        }
    }
}
