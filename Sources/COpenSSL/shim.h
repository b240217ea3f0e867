#ifndef GRAVITY_COPENSSL_SHIM_H
#define GRAVITY_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/crypto.h>

/* Macros Swift cannot import. */
static inline long gravity_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int gravity_BIO_pending(BIO *bio) { return (int)BIO_pending(bio); }
#endif
