#ifndef GRAVITY_CSQLITE_SHIM_H
#define GRAVITY_CSQLITE_SHIM_H
#include <sqlite3.h>

/* SQLITE_TRANSIENT is a function-pointer cast macro that Swift cannot import. */
static inline sqlite3_destructor_type gravity_sqlite_transient(void) { return SQLITE_TRANSIENT; }

/* sqlite3_config is variadic, which Swift cannot call. Memory statistics off: with them on,
   every allocation inside SQLite takes one process-wide mutex, which the loop thread (state.db)
   and the log writer (raft.db) then fight over. Only before SQLite initializes (SQLITE_MISUSE
   after). */
static inline int gravity_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* sync_file_range(2), which <fcntl.h> declares only under _GNU_SOURCE (not set for Swift's
   Glibc module). The store writes a large snapshot file back a slice at a time with it. */
#include <sys/syscall.h>
#include <unistd.h>
static inline int gravity_sync_file_range(int fd, long long offset, long long bytes, unsigned int flags) {
    return (int)syscall(SYS_sync_file_range, fd, offset, bytes, flags);
}
#endif
