#ifndef GRAVITY_COPENSSL_SHIM_H
#define GRAVITY_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#include <openssl/x509v3.h>

/* Macros Swift cannot import. */
static inline long gravity_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}
/* Frees a session's record buffers while it is idle (kept probe connections wait 10 s and more). */
static inline long gravity_SSL_CTX_release_buffers(SSL_CTX *ctx) { return SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS); }
static inline int gravity_BIO_pending(BIO *bio) { return (int)BIO_pending(bio); }
/* SNI: a macro over SSL_ctrl. */
static inline long gravity_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
/* An empty memory BIO reports "retry" (not end of file), so SSL_* say WANT_READ. */
static inline long gravity_BIO_set_mem_eof_return(BIO *bio, int value) { return BIO_set_mem_eof_return(bio, value); }
#endif
