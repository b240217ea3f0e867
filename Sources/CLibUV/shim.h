#ifndef GRAVITY_CLIBUV_SHIM_H
#define GRAVITY_CLIBUV_SHIM_H
#include <uv.h>
#include <pthread.h>
#include <signal.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#endif
