// The guard against server-side request forgery through health checks (the issue: HTTP and gRPC
// targets in link-local and cloud-metadata ranges are refused unless the configuration allows
// them). Anyone who may register a check could otherwise make the agent fetch the cloud
// provider's instance metadata (credentials included) and read it back in the check's output.
//
// The guard judges addresses after resolution, so a name that resolves into a refused range is
// refused too, and every resolved address is judged, not just the first: a name resolving to a
// public and a metadata address must not reach the metadata one on a retry.

/// Which addresses a probe may connect to.
enum ProbeAddressPolicy {
    /// The refused range holding the IP with bytes `ip` (4 or 16, network order), named for the
    /// result's output; nil when the address may be probed. IPv4-mapped IPv6 addresses
    /// (::ffff:a.b.c.d) are judged as the IPv4 address they carry.
    static func refusedRange(_ ip: [UInt8]) -> String? {
        switch ip.count {
        case 4: return refusedIPv4Range(ip)
        case 16: return refusedIPv6Range(ip)
        default: preconditionFailure("an IP has 4 or 16 bytes, not \(ip.count)")
        }
    }

    private static func refusedIPv4Range(_ ip: [UInt8]) -> String? {
        assert(ip.count == 4)
        if ip[0] == 169 && ip[1] == 254 { return "link-local (169.254.0.0/16, cloud metadata at 169.254.169.254)" }
        if ip == [100, 100, 100, 200] { return "cloud metadata (Alibaba Cloud, 100.100.100.200)" }
        if ip == [168, 63, 129, 16] { return "cloud metadata (Azure WireServer, 168.63.129.16)" }
        return nil
    }

    private static func refusedIPv6Range(_ ip: [UInt8]) -> String? {
        assert(ip.count == 16)
        if ip[0..<10].allSatisfy({ $0 == 0 }) && ip[10] == 0xFF && ip[11] == 0xFF {
            return refusedIPv4Range(Array(ip[12..<16]))
        }
        if ip[0] == 0xFE && ip[1] & 0xC0 == 0x80 { return "link-local (fe80::/10)" }
        if ip == awsMetadataIPv6 { return "cloud metadata (AWS, fd00:ec2::254)" }
        return nil
    }

    /// fd00:ec2::254, the IPv6 address of the EC2 instance metadata service.
    private static let awsMetadataIPv6: [UInt8] = [0xFD, 0x00, 0x0E, 0xC2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54]
}
