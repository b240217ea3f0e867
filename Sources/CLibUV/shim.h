#ifndef GRAVITY_CLIBUV_SHIM_H
#define GRAVITY_CLIBUV_SHIM_H
#include <uv.h>
#include <pthread.h>
#include <signal.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The calling thread's nice value, and setting it: Linux keeps one per thread, addressed by
   the thread ID, which glibc's Swift module does not offer (gettid needs _GNU_SOURCE). */
static inline int gravity_thread_nice(void) {
    return getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
}
static inline int gravity_set_thread_nice(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}
#endif
