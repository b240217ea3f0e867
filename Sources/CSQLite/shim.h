#ifndef GRAVITY_CSQLITE_SHIM_H
#define GRAVITY_CSQLITE_SHIM_H
#include <sqlite3.h>

/* SQLITE_TRANSIENT is a function-pointer cast macro that Swift cannot import. */
static inline sqlite3_destructor_type gravity_sqlite_transient(void) { return SQLITE_TRANSIENT; }

/* sync_file_range(2), which <fcntl.h> declares only under _GNU_SOURCE (not set for Swift's
   Glibc module). The store writes a large snapshot file back a slice at a time with it. */
#include <sys/syscall.h>
#include <unistd.h>
static inline int gravity_sync_file_range(int fd, long long offset, long long bytes, unsigned int flags) {
    return (int)syscall(SYS_sync_file_range, fd, offset, bytes, flags);
}
#endif
