// Linux headers that Glibc's Swift module map leaves out.
#ifndef COFFER_CSYSTEM_H
#define COFFER_CSYSTEM_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/resource.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <sys/socket.h>

static inline int csystem_errno(void) { return errno; }

/// Names the calling thread (visible in top, gdb and /proc); needs _GNU_SOURCE, hence a C shim.
int csystem_set_thread_name(const char *name);

/// accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC; needs _GNU_SOURCE, hence a C shim.
int csystem_accept_nonblocking(int fd, struct sockaddr *address, socklen_t *length);
#endif
