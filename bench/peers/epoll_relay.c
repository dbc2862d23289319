/* The loopback limit for the fan-out benchmark: a single-threaded epoll WebSocket
 * relay that frames each message once, appends it to every other member's outbound
 * buffer and flushes each peer with one write per loop iteration. Room = the path
 * after "/r/". It relays bytes and nothing else (no auth, no UTF-8 checks). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

enum { MAX_EVENTS = 1024, READ_CHUNK = 256 * 1024, MAX_REQUEST = 8192, MAX_ROOM_NAME = 128 };
enum { ROOM_BUCKETS = 16384, SHRINK_ABOVE = 64 * 1024 };

typedef struct {
  char* data;
  size_t off; /* start of unconsumed bytes */
  size_t len; /* end of valid bytes */
  size_t cap;
} buffer;

typedef enum { ST_HANDSHAKE, ST_OPEN, ST_CLOSING } conn_state;

struct room;

typedef struct conn {
  int fd;
  conn_state state;
  int dead;     /* closed this iteration; freed after the flush */
  int dirty;    /* on the flush list */
  int want_out; /* EPOLLOUT registered */
  int greeted;  /* the 101 reply is queued; its buffer is released once written */
  struct room* room;
  size_t room_index;
  buffer in;   /* bytes of an incomplete frame or request */
  buffer out;  /* framed bytes not yet written */
  buffer frag; /* payload of a fragmented message being reassembled */
  int frag_opcode;
} conn;

typedef struct room {
  char* name;
  struct room* next;
  conn** members;
  size_t count, cap;
} room;

static struct {
  int epfd, listen_fd, signal_fd, spare_fd;
  size_t max_outbound, max_message;
  room* buckets[ROOM_BUCKETS];
  conn** dirty;
  size_t dirty_count, dirty_cap;
  conn** doomed;
  size_t doomed_count, doomed_cap;
  unsigned char read_buf[READ_CHUNK];
  buffer frame; /* scratch: the one framed copy of the message being relayed */
} g;

static void die(const char* what) {
  perror(what);
  exit(1);
}

static void* xrealloc(void* p, size_t n) {
  void* q = realloc(p, n);
  if (q == NULL && n != 0) die("realloc");
  return q;
}

/* ---- buffers ---- */

static size_t buf_size(const buffer* b) { return b->len - b->off; }

static void buf_reserve(buffer* b, size_t extra) {
  if (b->len + extra <= b->cap) return;
  if (b->off > 0) { /* reuse the consumed prefix before growing */
    memmove(b->data, b->data + b->off, b->len - b->off);
    b->len -= b->off;
    b->off = 0;
    if (b->len + extra <= b->cap) return;
  }
  size_t cap = b->cap ? b->cap : 512;
  while (cap < b->len + extra) cap *= 2;
  b->data = xrealloc(b->data, cap);
  b->cap = cap;
}

static void buf_append(buffer* b, const void* p, size_t n) {
  buf_reserve(b, n);
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

/* Idle connections keep no large buffers: 19,000 of them must fit. */
static void buf_consumed(buffer* b) {
  if (b->off < b->len) return;
  b->off = b->len = 0;
  if (b->cap > SHRINK_ABOVE) {
    free(b->data);
    b->data = NULL;
    b->cap = 0;
  }
}

static void buf_free(buffer* b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}

static void list_push(conn*** list, size_t* count, size_t* cap, conn* c) {
  if (*count == *cap) {
    *cap = *cap ? *cap * 2 : 256;
    *list = xrealloc(*list, *cap * sizeof **list);
  }
  (*list)[(*count)++] = c;
}

/* ---- rooms ---- */

static uint32_t hash_name(const char* s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

static room* room_get(const char* name, size_t n) {
  room** slot = &g.buckets[hash_name(name, n) % ROOM_BUCKETS];
  for (room* r = *slot; r; r = r->next)
    if (strlen(r->name) == n && memcmp(r->name, name, n) == 0) return r;
  room* r = calloc(1, sizeof *r);
  if (r == NULL) die("calloc");
  r->name = strndup(name, n);
  if (r->name == NULL) die("strndup");
  r->next = *slot;
  *slot = r;
  return r;
}

static void room_free(room* r) {
  room** slot = &g.buckets[hash_name(r->name, strlen(r->name)) % ROOM_BUCKETS];
  while (*slot != r) slot = &(*slot)->next;
  *slot = r->next;
  free(r->members);
  free(r->name);
  free(r);
}

static void room_join(room* r, conn* c) {
  if (r->count == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 16;
    r->members = xrealloc(r->members, r->cap * sizeof *r->members);
  }
  c->room = r;
  c->room_index = r->count;
  r->members[r->count++] = c;
}

static void room_leave(conn* c) {
  room* r = c->room;
  if (r == NULL) return;
  conn* last = r->members[--r->count];
  r->members[c->room_index] = last;
  last->room_index = c->room_index;
  c->room = NULL;
  if (r->count == 0) room_free(r);
}

/* ---- connections ---- */

static void mark_dirty(conn* c) {
  if (c->dirty || c->dead) return;
  c->dirty = 1;
  list_push(&g.dirty, &g.dirty_count, &g.dirty_cap, c);
}

/* Leaves the room at once (so no further relay reaches it); the fd is closed and
 * the memory freed only after the iteration, because pending epoll events of this
 * iteration may still point at it. */
static void conn_close(conn* c) {
  if (c->dead) return;
  c->dead = 1;
  room_leave(c);
  list_push(&g.doomed, &g.doomed_count, &g.doomed_cap, c);
}

static void set_events(conn* c, int want_out) {
  if (c->want_out == want_out) return;
  struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c};
  if (epoll_ctl(g.epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl mod");
  c->want_out = want_out;
}

/* The one write of this iteration for this peer. */
static void conn_flush(conn* c) {
  c->dirty = 0;
  if (c->dead) return;
  size_t n = buf_size(&c->out);
  if (n > 0) {
    ssize_t w = write(c->fd, c->out.data + c->out.off, n);
    if (w < 0 && errno != EAGAIN && errno != EINTR) {
      conn_close(c);
      return;
    }
    if (w > 0) c->out.off += (size_t)w;
  }
  if (buf_size(&c->out) > 0) {
    set_events(c, 1);
    return;
  }
  buf_consumed(&c->out);
  if (c->greeted) { /* an idle member then holds no buffer at all */
    c->greeted = 0;
    buf_free(&c->out);
  }
  set_events(c, 0);
  if (c->state == ST_CLOSING) conn_close(c);
}

/* ---- WebSocket framing ---- */

static size_t frame_header(unsigned char* h, int opcode, size_t len) {
  h[0] = (unsigned char)(0x80 | opcode);
  if (len < 126) {
    h[1] = (unsigned char)len;
    return 2;
  }
  if (len <= 0xFFFF) {
    h[1] = 126;
    h[2] = (unsigned char)(len >> 8);
    h[3] = (unsigned char)len;
    return 4;
  }
  h[1] = 127;
  for (int i = 0; i < 8; i++) h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
  return 10;
}

static void send_frame(conn* c, int opcode, const unsigned char* p, size_t n) {
  unsigned char h[10];
  buf_append(&c->out, h, frame_header(h, opcode, n));
  buf_append(&c->out, p, n);
  mark_dirty(c);
}

/* Frames the message once, then copies the framed bytes to every other member. */
static void relay(conn* from, int opcode, const unsigned char* p, size_t n) {
  room* r = from->room;
  if (r == NULL || r->count < 2) return;
  g.frame.off = g.frame.len = 0;
  unsigned char h[10];
  buf_append(&g.frame, h, frame_header(h, opcode, n));
  buf_append(&g.frame, p, n);
  size_t flen = g.frame.len;
  /* Iterate backwards: closing a member swaps the last member into its slot. */
  for (size_t i = r->count; i-- > 0;) {
    conn* to = r->members[i];
    if (to == from || to->state != ST_OPEN) continue;
    if (buf_size(&to->out) + flen > g.max_outbound) {
      conn_close(to); /* a member that does not read must not grow our memory */
      continue;
    }
    buf_append(&to->out, g.frame.data, flen);
    mark_dirty(to);
  }
}

/* Echoes the status code; a closing member receives no more relays. */
static void on_close_frame(conn* c, const unsigned char* p, size_t n) {
  room_leave(c);
  send_frame(c, 0x8, p, n >= 2 ? 2 : 0);
  c->state = ST_CLOSING;
}

static void on_message(conn* c, int opcode, const unsigned char* p, size_t n) {
  switch (opcode) {
    case 0x1:
    case 0x2:
      relay(c, opcode, p, n);
      break;
    case 0x8:
      on_close_frame(c, p, n);
      break;
    case 0x9:
      send_frame(c, 0xA, p, n);
      break;
    default: /* pong: nothing to do */
      break;
  }
}

/* Eight bytes at a time: large payloads (the 64 kB workload) are unmasked in place. */
static void unmask(unsigned char* p, size_t n, const unsigned char* key) {
  unsigned char k8[8];
  for (int i = 0; i < 8; i++) k8[i] = key[i & 3];
  uint64_t k;
  memcpy(&k, k8, 8);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    w ^= k;
    memcpy(p + i, &w, 8);
  }
  for (; i < n; i++) p[i] ^= key[i & 3];
}

/* Parses complete frames in p[0..n); returns the bytes consumed, or -1 to drop the
 * connection on a protocol violation. Payloads are unmasked in place. */
static long parse_frames(conn* c, unsigned char* p, size_t n) {
  size_t pos = 0;
  while (c->state == ST_OPEN && n - pos >= 2) {
    unsigned char* f = p + pos;
    int fin = f[0] & 0x80, opcode = f[0] & 0x0F;
    if ((f[0] & 0x70) || !(f[1] & 0x80)) return -1; /* RSV bits or unmasked */
    uint64_t len = f[1] & 0x7F;
    size_t hlen = 2;
    if (len == 126) {
      if (n - pos < 4) break;
      len = ((uint64_t)f[2] << 8) | f[3];
      hlen = 4;
    } else if (len == 127) {
      if (n - pos < 10) break;
      len = 0;
      for (int i = 0; i < 8; i++) len = (len << 8) | f[2 + i];
      hlen = 10;
    }
    if (len > g.max_message) return -1;
    if (n - pos < hlen + 4 + len) break;
    unsigned char* payload = f + hlen + 4;
    unmask(payload, (size_t)len, f + hlen);
    pos += hlen + 4 + (size_t)len;

    if (opcode >= 0x8) { /* control frames may interleave with fragments */
      if (!fin || len > 125) return -1;
      on_message(c, opcode, payload, (size_t)len);
    } else if (opcode == 0x0) {
      if (c->frag_opcode == 0) return -1;
      if (buf_size(&c->frag) + len > g.max_message) return -1;
      buf_append(&c->frag, payload, (size_t)len);
      if (fin) {
        on_message(c, c->frag_opcode, (unsigned char*)c->frag.data + c->frag.off,
                   buf_size(&c->frag));
        c->frag.off = c->frag.len;
        buf_consumed(&c->frag);
        c->frag_opcode = 0;
      }
    } else if (opcode == 0x1 || opcode == 0x2) {
      if (c->frag_opcode != 0) return -1;
      if (fin) {
        on_message(c, opcode, payload, (size_t)len);
      } else {
        c->frag_opcode = opcode;
        buf_append(&c->frag, payload, (size_t)len);
      }
    } else {
      return -1;
    }
  }
  return (long)pos;
}

/* ---- HTTP upgrade ---- */

static void base64(const unsigned char* in, size_t n, char* out) {
  static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16;
    if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
    if (i + 2 < n) v |= in[i + 2];
    out[o++] = t[(v >> 18) & 63];
    out[o++] = t[(v >> 12) & 63];
    out[o++] = i + 1 < n ? t[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? t[v & 63] : '=';
  }
  out[o] = '\0';
}

/* Finds header `name` in the request head; returns its trimmed value and length. */
static const char* find_header(const char* head, const char* name, size_t* vlen) {
  size_t nlen = strlen(name);
  for (const char* line = strstr(head, "\r\n"); line; line = strstr(line, "\r\n")) {
    line += 2;
    if (strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
      const char* v = line + nlen + 1;
      while (*v == ' ' || *v == '\t') v++;
      const char* end = strstr(v, "\r\n");
      while (end > v && (end[-1] == ' ' || end[-1] == '\t')) end--;
      *vlen = (size_t)(end - v);
      return v;
    }
  }
  return NULL;
}

static void reject(conn* c, const char* status) {
  char resp[128];
  int n = snprintf(resp, sizeof resp,
                   "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
  buf_append(&c->out, resp, (size_t)n);
  c->state = ST_CLOSING;
  mark_dirty(c);
}

/* Handles the request head in c->in once complete; returns 0 while incomplete. */
static int handshake(conn* c) {
  buf_reserve(&c->in, 1);
  c->in.data[c->in.len] = '\0';
  char* head = c->in.data + c->in.off;
  char* end = strstr(head, "\r\n\r\n");
  if (end == NULL) {
    if (buf_size(&c->in) > MAX_REQUEST) reject(c, "431 Request Header Fields Too Large");
    return 0;
  }
  end[2] = '\0'; /* keep the last header's CRLF for find_header */
  if (strncmp(head, "GET /r/", 7) != 0) {
    reject(c, "404 Not Found");
    return 1;
  }
  const char* name = head + 7;
  size_t nlen = strcspn(name, " ?\r\n");
  size_t klen = 0;
  const char* key = find_header(head, "Sec-WebSocket-Key", &klen);
  if (nlen == 0 || nlen > MAX_ROOM_NAME || key == NULL || klen == 0 || klen > 64) {
    reject(c, "400 Bad Request");
    return 1;
  }
  static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  char concat[64 + sizeof guid];
  memcpy(concat, key, klen);
  memcpy(concat + klen, guid, sizeof guid - 1);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1((const unsigned char*)concat, klen + sizeof guid - 1, digest);
  char accept[32];
  base64(digest, sizeof digest, accept);
  char resp[160];
  int n = snprintf(resp, sizeof resp,
                   "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                   accept);
  buf_append(&c->out, resp, (size_t)n);
  c->greeted = 1;
  mark_dirty(c);
  room_join(room_get(name, nlen), c);
  c->state = ST_OPEN;
  c->in.off += (size_t)(end + 4 - head);
  return 1;
}

/* ---- event handlers ---- */

static void on_readable(conn* c) {
  ssize_t n = read(c->fd, g.read_buf, sizeof g.read_buf);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    conn_close(c);
    return;
  }
  if (n < 0 || c->state == ST_CLOSING) return;
  if (c->state == ST_HANDSHAKE) {
    buf_append(&c->in, g.read_buf, (size_t)n);
    if (!handshake(c) || c->state != ST_OPEN) return;
    long used = parse_frames(c, (unsigned char*)c->in.data + c->in.off, buf_size(&c->in));
    if (used < 0) {
      conn_close(c);
      return;
    }
    c->in.off += (size_t)used;
    if (buf_size(&c->in) == 0) buf_free(&c->in);
    return;
  }
  /* Common case: no leftover, so frames are parsed straight from the shared read
   * buffer and only an incomplete tail is kept per connection. */
  unsigned char* p = g.read_buf;
  size_t len = (size_t)n;
  int leftover = buf_size(&c->in) > 0;
  if (leftover) {
    buf_append(&c->in, g.read_buf, (size_t)n);
    p = (unsigned char*)c->in.data + c->in.off;
    len = buf_size(&c->in);
  }
  long used = parse_frames(c, p, len);
  if (used < 0) {
    conn_close(c);
    return;
  }
  if (leftover) {
    c->in.off += (size_t)used;
  } else if ((size_t)used < len) {
    buf_append(&c->in, p + used, len - (size_t)used);
  }
  buf_consumed(&c->in);
}

static void on_accept(void) {
  for (;;) {
    int fd = accept4(g.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        /* Out of descriptors: accept and drop one so the listener stops firing. */
        close(g.spare_fd);
        fd = accept(g.listen_fd, NULL, NULL);
        if (fd >= 0) close(fd);
        g.spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        fprintf(stderr, "epoll_relay: out of file descriptors\n");
      }
      return; /* EAGAIN and transient errors alike: try on the next event */
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conn* c = calloc(1, sizeof *c);
    if (c == NULL) die("calloc");
    c->fd = fd;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(g.epfd, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl add");
  }
}

static void reap_doomed(void) {
  for (size_t i = 0; i < g.doomed_count; i++) {
    conn* c = g.doomed[i];
    close(c->fd); /* also removes it from the epoll set */
    buf_free(&c->in);
    buf_free(&c->out);
    buf_free(&c->frag);
    free(c);
  }
  g.doomed_count = 0;
}

/* ---- setup ---- */

static void write_port_file(const char* path, int port) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
  FILE* f = fopen(tmp, "w");
  if (f == NULL) die(tmp);
  fprintf(f, "%d\n", port);
  if (fclose(f) != 0) die(tmp);
  if (rename(tmp, path) != 0) die("rename port file");
}

static int listen_on(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr*)&a, sizeof a) < 0) die("bind");
  if (listen(fd, 4096) < 0) die("listen");
  return fd;
}

static int bound_port(int fd) {
  struct sockaddr_in a;
  socklen_t alen = sizeof a;
  if (getsockname(fd, (struct sockaddr*)&a, &alen) < 0) die("getsockname");
  return ntohs(a.sin_port);
}

static void usage(void) {
  fprintf(stderr,
          "usage: hearth-epoll-relay [--port N] [--port-file FILE]\n"
          "                          [--max-outbound-bytes N] [--max-message-bytes N]\n");
  exit(2);
}

static size_t parse_size(const char* s) {
  char* end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *s == '\0' || *end != '\0') usage();
  return (size_t)v;
}

int main(int argc, char** argv) {
  int port = 0;
  const char* port_file = NULL;
  g.max_outbound = 4u << 20;
  g.max_message = 16u << 20;
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc) usage();
    if (strcmp(argv[i], "--port") == 0)
      port = (int)parse_size(argv[++i]);
    else if (strcmp(argv[i], "--port-file") == 0)
      port_file = argv[++i];
    else if (strcmp(argv[i], "--max-outbound-bytes") == 0)
      g.max_outbound = parse_size(argv[++i]);
    else if (strcmp(argv[i], "--max-message-bytes") == 0)
      g.max_message = parse_size(argv[++i]);
    else
      usage();
  }
  if (port > 65535) usage();

  /* Use the whole hard limit: the benchmark holds up to ~19,000 sockets. */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  signal(SIGPIPE, SIG_IGN);
  /* An ignored signal never reaches a signalfd, and `cmd &` in a script ignores SIGINT. */
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  if (sigprocmask(SIG_BLOCK, &stop, NULL) < 0) die("sigprocmask");
  g.signal_fd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);
  if (g.signal_fd < 0) die("signalfd");
  g.spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

  g.listen_fd = listen_on(port);
  g.epfd = epoll_create1(EPOLL_CLOEXEC);
  if (g.epfd < 0) die("epoll_create1");
  /* The listener and the signal fd are told apart from connections by these tags. */
  static char listen_tag, signal_tag;
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &listen_tag};
  if (epoll_ctl(g.epfd, EPOLL_CTL_ADD, g.listen_fd, &ev) < 0) die("epoll_ctl listen");
  ev.data.ptr = &signal_tag;
  if (epoll_ctl(g.epfd, EPOLL_CTL_ADD, g.signal_fd, &ev) < 0) die("epoll_ctl signal");
  if (port_file) write_port_file(port_file, bound_port(g.listen_fd));

  struct epoll_event events[MAX_EVENTS];
  for (int running = 1; running;) {
    int n = epoll_wait(g.epfd, events, MAX_EVENTS, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      void* tag = events[i].data.ptr;
      if (tag == &listen_tag) {
        on_accept();
      } else if (tag == &signal_tag) {
        running = 0;
      } else {
        conn* c = tag;
        if (c->dead) continue;
        if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(c);
        if ((events[i].events & EPOLLOUT) && !c->dead) mark_dirty(c);
      }
    }
    /* Flush after all events, so everything queued for a peer goes in one write. */
    for (size_t i = 0; i < g.dirty_count; i++) conn_flush(g.dirty[i]);
    g.dirty_count = 0;
    reap_doomed();
  }
  return 0;
}
