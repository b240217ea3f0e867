#ifndef GRAVITY_CNGHTTP2_SHIM_H
#define GRAVITY_CNGHTTP2_SHIM_H
/* HTTP/2 framing for gRPC and H2PING probes (DESIGN.md §9). nghttp2 exposes no
 * function-like macros Gravity needs; its enums import as structs (compare raw values). */
#include <nghttp2/nghttp2.h>
#endif
