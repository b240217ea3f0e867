import CLibUV
import COpenSSL
import CSQLite

/// Versions of Gravity and the C libraries it runs on, for `gravity version`.
public enum Versions {
    public static var summary: [(String, String)] {
        [
            ("Gravity", Agent.version),
            ("Consul API", Agent.consulCompatibleVersion),
            ("libuv", String(cString: uv_version_string())),
            ("SQLite", String(cString: sqlite3_libversion())),
            ("OpenSSL", String(cString: OpenSSL_version(numericCast(OPENSSL_VERSION)))),
        ]
    }
}
