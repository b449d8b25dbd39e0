/// Size limits the parser enforces. Exceeding one is an error with the matching status
/// (414 for the request line, 431 for the header block, 413 for the body).
public struct HTTPParserLimits: Sendable, Equatable {
    /// Longest request line (method, target and version) in bytes.
    public var maxRequestLineBytes: Int
    /// Largest header block (all field lines, including CRLFs) in bytes.
    public var maxHeaderBytes: Int
    /// Most header fields (and, separately, trailer fields).
    public var maxHeaderCount: Int
    /// Largest body, summed over chunks for chunked bodies. The server may raise or lower it per
    /// route after the head is parsed.
    public var maxBodyBytes: Int

    public init(
        maxRequestLineBytes: Int = 8 * 1024, maxHeaderBytes: Int = 16 * 1024, maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 1024 * 1024
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }
}
