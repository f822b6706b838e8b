/// FNV-1a, 64 bit: a fast, stable fingerprint for cache-busting file names and cache keys (not for
/// security, where nothing depends on it being hard to collide).
public enum ContentHash {
    @inlinable
    public static func fnv1a64<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
