import XCTest

final class SharedTestsPlaceholder: XCTestCase {
    func testBuilds() {}
}
