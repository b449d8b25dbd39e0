import XCTest

@testable import Shared

/// RFC 4231 vectors, digests, incremental HMAC, and the providers' published signature vectors.
final class CryptoHMACTests: XCTestCase {
    /// RFC 4231 §4.2–4.8: key, data, HMAC-SHA-256, HMAC-SHA-512 (case 5 is truncated to 128 bits).
    private let rfc4231: [(key: [UInt8], data: [UInt8], sha256: String, sha512: String)] = [
        (
            [UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                + "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"
        ),
        (
            Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                + "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        ),
        (
            [UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
                + "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"
        ),
        (
            Array(1...25), [UInt8](repeating: 0xcd, count: 50),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
                + "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"
        ),
        (
            [UInt8](repeating: 0x0c, count: 20), Array("Test With Truncation".utf8),
            "a3b6167473100ee06e0c796c2955552b",
            "415fad6271580a531d4179bc891d87a6"
        ),
        (
            [UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
                + "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"
        ),
        (
            [UInt8](repeating: 0xaa, count: 131),
            Array(
                ("This is a test using a larger than block-size key and a larger than block-size data. "
                    + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
                + "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"
        ),
    ]

    func testRFC4231HMACSHA256() {
        for (number, vector) in rfc4231.enumerated() {
            let mac = HMAC.authenticationCode(.sha256, key: vector.key, message: vector.data)
            XCTAssertEqual(mac.count, 32)
            // Case 5 publishes only the first 128 bits; prefixing by the expected length covers it.
            XCTAssertEqual(Hex.encode(mac.prefix(vector.sha256.count / 2)), vector.sha256, "case \(number + 1)")
            XCTAssertEqual(HMAC.sha256(key: vector.key, message: vector.data), mac)
        }
        XCTAssertEqual(rfc4231[4].sha256.count, 32, "case 5 must compare 128 bits")
    }

    func testRFC4231HMACSHA512() {
        for (number, vector) in rfc4231.enumerated() {
            let mac = HMAC.authenticationCode(.sha512, key: vector.key, message: vector.data)
            XCTAssertEqual(mac.count, 64)
            XCTAssertEqual(Hex.encode(mac.prefix(vector.sha512.count / 2)), vector.sha512, "case \(number + 1)")
            XCTAssertEqual(HMAC.sha512(key: vector.key, message: vector.data), mac)
        }
    }

    func testHMACSHA1MatchesRFC2202() {
        // RFC 2202 test case 2.
        let mac = HMAC.authenticationCode(
            .sha1, key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        XCTAssertEqual(Hex.encode(mac), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    }

    func testEmptyKeyAndMessage() {
        // `openssl dgst -sha256 -hmac ""` of empty input; an empty key must not be mistaken for "no key".
        XCTAssertEqual(
            Hex.encode(HMAC.sha256(key: [UInt8](), message: [UInt8]())),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
        XCTAssertEqual(HMAC.sha256(key: "", message: ""), HMAC.sha256(key: [UInt8](), message: [UInt8]()))
    }

    func testStringOverloadsUseUTF8() {
        let key = "clé", message = "naïve ✓"
        let expected = HMAC.authenticationCode(.sha256, key: Array(key.utf8), message: Array(message.utf8))
        XCTAssertEqual(HMAC.sha256(key: key, message: message), expected)
        XCTAssertEqual(HMAC.sha256(key: Array(key.utf8), message: message), expected)
        XCTAssertEqual(HMAC.sha256(key: key, message: Array(message.utf8)), expected)
        XCTAssertEqual(HMAC.sha512(key: key, message: Array(message.utf8)), HMAC.sha512(key: key, message: message))
        XCTAssertEqual(HMAC.sha512(key: Array(key.utf8), message: message), HMAC.sha512(key: key, message: message))
        XCTAssertEqual(
            HMAC.sha512(key: key, message: message),
            HMAC.authenticationCode(.sha512, key: Array(key.utf8), message: Array(message.utf8)))
    }

    func testNonContiguousCollections() {
        let key = Array(1...40) as [UInt8]
        let message = Array(0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let expected = HMAC.sha256(key: key, message: message)
        XCTAssertEqual(HMAC.sha256(key: key.lazy.map { $0 }, message: message.reversed().reversed()), expected)
        XCTAssertEqual(
            HMAC.sha256(key: key[...], message: message[10...]), HMAC.sha256(key: key, message: Array(message[10...])))
    }

    func testIncrementalMatchesOneShot() {
        let key = SecureRandom.bytes(32)
        let body = SecureRandom.bytes(10_000)
        for digest in Digest.allCases {
            var context = HMACContext(digest: digest, key: key)
            context.update(body[..<1])
            context.update(body[1..<4096])
            context.update([UInt8]())
            context.update(body[4096...])
            // finalize() consumes the context, so it cannot run inside XCTAssert's autoclosure.
            let mac = context.finalize()
            XCTAssertEqual(mac, HMAC.authenticationCode(digest, key: key, message: body), "\(digest)")
        }
    }

    func testIncrementalStripeStyleSigning() {
        // Stripe signs "<t>.<body>"; assembling it in parts must equal signing the concatenation.
        let secret = "whsec_test_secret"
        let timestamp = "1614265330"
        let body = #"{"id":"evt_1","object":"event"}"#
        var context = HMACContext(digest: .sha256, key: secret)
        context.update(timestamp)
        context.update(".")
        context.update(Array(body.utf8))
        let mac = context.finalize()
        XCTAssertEqual(mac, HMAC.sha256(key: secret, message: "\(timestamp).\(body)"))
    }

    func testDigests() {
        XCTAssertEqual(
            Hex.encode(SHA256.hash("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            Hex.encode(SHA256.hash("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            Hex.encode(SHA512.hash("abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        XCTAssertEqual(
            Hex.encode(SHA512.hash("")),
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")
        XCTAssertEqual(Hex.encode(Digest.sha1.hash(Array("abc".utf8))), "a9993e364706816aba3e25717850c26c9cd0d89d")
    }

    // MARK: Provider vectors (PROVIDERS.md)

    func testStripeVectors() {
        // stripe-node tests, key "test_secret" as UTF-8.
        XCTAssertEqual(
            Hex.encode(HMAC.sha256(key: "test_secret", message: "")),
            "f7f9bd47fb987337b5796fdc1fdb9ba221d0d5396814bfcaf9521f43fd8927fd")
        XCTAssertEqual(
            Hex.encode(HMAC.sha256(key: "test_secret", message: #"{"obj1":"hello","obj2":"world"}"#)),
            "bebb1a643997f419b315ddba19e6f5411e1ce7f810ba6d3617ce72823092f363")
    }

    func testStandardWebhooksVector() throws {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let key = try XCTUnwrap(Base64.decode(String(secret.dropFirst("whsec_".count))))
        let content = #"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}"#
        let signature = Base64.encode(HMAC.sha256(key: key, message: content))
        XCTAssertEqual(signature, "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        XCTAssertTrue(ConstantTime.equals(signature, "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="))
        XCTAssertFalse(ConstantTime.equals(signature, "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="))
        // Compared as bytes too: the near-miss differs in the last byte of the MAC.
        let nearMiss = try XCTUnwrap(Base64.decode("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="))
        XCTAssertFalse(ConstantTime.equals(HMAC.sha256(key: key, message: content), nearMiss))
    }

    func testPhonePeVector() {
        XCTAssertEqual(
            Hex.encode(SHA256.hash("username:password")),
            "bc842c31a9e54efe320d30d948be61291f3ceee4766e36ab25fa65243cd76e0e")
    }

    func testConcurrentUseFromManyTasks() async {
        // The shared HMAC templates are duplicated concurrently; results must not interfere.
        let key = Array("concurrency".utf8)
        let expected = (0..<64).map { HMAC.sha256(key: key, message: Array("message \($0)".utf8)) }
        await withTaskGroup(of: (Int, [UInt8]).self) { group in
            for index in 0..<64 {
                group.addTask { (index, HMAC.sha256(key: key, message: Array("message \(index)".utf8))) }
            }
            for await (index, mac) in group { XCTAssertEqual(mac, expected[index]) }
        }
    }
}
