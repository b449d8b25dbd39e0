import XCTest

final class ServiceTestsPlaceholder: XCTestCase {
    func testBuilds() {}
}
