// Linux headers that Glibc's Swift module map leaves out.
#ifndef COFFER_CSYSTEM_H
#define COFFER_CSYSTEM_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/resource.h>
#include <netinet/tcp.h>
#include <errno.h>

static inline int csystem_errno(void) { return errno; }
#endif
