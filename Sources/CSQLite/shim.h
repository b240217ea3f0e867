#ifndef GRAVITY_CSQLITE_SHIM_H
#define GRAVITY_CSQLITE_SHIM_H
#include <sqlite3.h>

/* SQLITE_TRANSIENT is a function-pointer cast macro that Swift cannot import. */
static inline sqlite3_destructor_type gravity_sqlite_transient(void) { return SQLITE_TRANSIENT; }
#endif
