// send, sendmsg and recv made as plain system calls. In a process with more
// than one thread, glibc's wrappers are cancellation points that switch
// asynchronous cancellation on and off around the call; Hearth never cancels a
// thread, and that switching cost about a tenth of the user time of a delivery.
// Same arguments, results and errno as the wrappers.
#pragma once

#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>

namespace hearth::net {

inline ssize_t send_bytes(int fd, const void* data, std::size_t size, int flags) {
  return ::syscall(SYS_sendto, fd, data, size, flags, nullptr, 0);
}

inline ssize_t send_message(int fd, const msghdr& message, int flags) {
  return ::syscall(SYS_sendmsg, fd, &message, flags);
}

inline ssize_t receive(int fd, void* buffer, std::size_t size) {
  return ::syscall(SYS_recvfrom, fd, buffer, size, 0, nullptr, nullptr);
}

}  // namespace hearth::net
