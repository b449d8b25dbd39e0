// Small wrappers for Linux calls Swift cannot reach directly.
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/socket.h>
#include "CSystem.h"

int csystem_set_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}

int csystem_accept_nonblocking(int fd, struct sockaddr *address, socklen_t *length) {
    return accept4(fd, address, length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
