import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
@testable import SandboxAWS
import XCTest

/// What NIO and AsyncHTTPClient throw becomes a kind the retry policy understands; certificate failures are final.
final class TransportErrorClassificationTests: XCTestCase {
    let endpoint = "https://sts.eu-west-1.amazonaws.com"

    func classify(_ error: Error, trust: TrustStore = .system) -> TransportError {
        AsyncHTTPClientTransport.classify(error, endpoint: endpoint, trust: trust)
    }

    func testCertificateVerificationFailureIsTLSAndNotRetried() {
        let error = classify(NIOSSLError.handshakeFailed(.sslError([])))
        XCTAssertEqual(error.kind, .tls)
        XCTAssertFalse(RetryPolicy.isRetryable(error))
        XCTAssertEqual(RetryPolicy(maxAttempts: 5).decide(after: error, attempt: 1), .stop)
    }

    func testHostnameMismatchIsTLSAndSaysSo() {
        let error = classify(NIOSSLExtraError.failedToValidateHostname)
        XCTAssertEqual(error.kind, .tls)
        XCTAssertTrue(error.detail.contains("does not name this host"), error.detail)
        XCTAssertFalse(RetryPolicy.isRetryable(error))
    }

    func testTLSMessageNamesTheEndpointTheStoreAndTheFix() {
        let system = classify(NIOSSLError.handshakeFailed(.sslError([]))).userMessage
        for text in [endpoint, "the system trust store", "AWS_CA_BUNDLE", "ca_bundle"] {
            XCTAssertTrue(system.contains(text), "\(system) lacks \(text)")
        }
        XCTAssertFalse(system.contains("\n"))
        let bundle = TrustStore.bundle(path: "/etc/corp/ca.pem", origin: "AWS_CA_BUNDLE", certificates: [])
        let message = classify(NIOSSLExtraError.failedToValidateHostname, trust: bundle).userMessage
        XCTAssertTrue(message.contains("the CA bundle /etc/corp/ca.pem (from AWS_CA_BUNDLE)"), message)
    }

    func testUncleanTLSShutdownIsAConnectionLossAndRetried() {
        let error = classify(NIOSSLError.uncleanShutdown)
        XCTAssertEqual(error.kind, .connectionLost)
        XCTAssertTrue(RetryPolicy.isRetryable(error))
    }

    func testConnectionErrorsAreRetried() {
        let cases: [(Error, TransportError.Kind)] = [
            (IOError(errnoCode: ECONNREFUSED, reason: "connect"), .connectionRefused),
            (IOError(errnoCode: ECONNRESET, reason: "read"), .connectionLost),
            (HTTPClientError.connectTimeout, .timedOut),
            (HTTPClientError.readTimeout, .timedOut),
            (HTTPClientError.deadlineExceeded, .timedOut),
            (HTTPClientError.remoteConnectionClosed, .connectionLost),
            (ChannelError.connectTimeout(.seconds(1)), .timedOut),
        ]
        for (raw, kind) in cases {
            let error = classify(raw)
            XCTAssertEqual(error.kind, kind, "\(raw)")
            XCTAssertTrue(RetryPolicy.isRetryable(error), "\(raw)")
            XCTAssertTrue(error.userMessage.hasPrefix("cannot reach \(endpoint)"), error.userMessage)
        }
    }
}
