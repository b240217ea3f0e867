/// Migration 6 drops the on-disk index of instances by service name; `ServiceNameIndex` keeps
/// it in memory instead. Released SQL: never edit it; append a migration.
///
/// Why: names spread registrations over the whole index, so each registration dirtied a leaf
/// page of its own, which every server wrote twice (to the WAL at commit, to the file at the
/// checkpoint) and read back once it had left the cache. In `scripts/bench cluster`'s
/// registrations (1,000 names, hundreds of thousands of instances) that was about 10 µs of
/// each server's work per registration, a third of a follower's.
extension StateSchema {
    static let version6 = "DROP INDEX services_by_name;"
}
