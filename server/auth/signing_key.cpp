// Loads or creates the server's HMAC key file. The file is written under a
// temporary name and then hard-linked into place, so a concurrent reader never
// sees a half-written key and two creators never overwrite each other.
#include "auth/signing_key.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace hearth::auth {
namespace {

constexpr std::string_view key_file_name = "signing.key";
constexpr std::size_t hex_size = signing_key::size * 2;
// Anything larger than the hex text plus a line ending is certainly not a key.
constexpr std::size_t max_file_size = hex_size + 2;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

[[noreturn]] void fail_errno(const std::string& what, const std::filesystem::path& path, int err) {
  fail(what + " " + path.string() + ": " + std::generic_category().message(err));
}

// Closes the descriptor on every exit path, including exceptions.
class fd_guard {
 public:
  explicit fd_guard(int fd) : fd_(fd) {}
  ~fd_guard() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

std::string to_hex(const std::uint8_t* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 0x0f]);
  }
  return out;
}

std::string octal_mode(mode_t mode) {
  std::string out = "0";
  for (int shift = 6; shift >= 0; shift -= 3) {
    out.push_back(static_cast<char>('0' + ((mode >> shift) & 07)));
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void ensure_directory(const std::filesystem::path& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      fail("key directory " + dir.string() + " exists but is not a directory");
    }
    return;
  }
  if (errno != ENOENT) {
    fail_errno("cannot stat key directory", dir, errno);
  }
  if (dir.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(dir.parent_path(), ec);
    if (ec) {
      fail("cannot create " + dir.parent_path().string() + ": " + ec.message());
    }
  }
  if (::mkdir(dir.c_str(), 0700) != 0) {
    if (errno == EEXIST) {
      return;  // created concurrently by another process
    }
    fail_errno("cannot create key directory", dir, errno);
  }
  // The umask may have narrowed the mode; the directory should be exactly 0700.
  if (::chmod(dir.c_str(), 0700) != 0) {
    fail_errno("cannot set mode 0700 on", dir, errno);
  }
}

void write_all(int fd, const std::string& text, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno("cannot write key file", path, errno);
    }
    done += static_cast<std::size_t>(n);
  }
}

// Creates the key file; if another process won the race, leaves its file alone.
void try_create(const std::filesystem::path& path) {
  std::array<std::uint8_t, signing_key::size> bytes{};
  std::array<std::uint8_t, 4> nonce{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1 ||
      RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) {
    fail("cannot generate a signing key: RAND_bytes failed");
  }
  std::string text = to_hex(bytes.data(), bytes.size()) + "\n";
  OPENSSL_cleanse(bytes.data(), bytes.size());

  // A name unique to this attempt (never derived from the key); O_EXCL
  // guarantees that what we link in is what we wrote.
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid()) + "." + to_hex(nonce.data(), nonce.size());
  {
    fd_guard fd(::open(tmp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) {
      const int err = errno;
      OPENSSL_cleanse(text.data(), text.size());
      fail_errno("cannot create key file", tmp, err);
    }
    try {
      if (::fchmod(fd.get(), 0600) != 0) fail_errno("cannot set mode 0600 on", tmp, errno);
      write_all(fd.get(), text, tmp);
      if (::fsync(fd.get()) != 0) fail_errno("cannot sync key file", tmp, errno);
    } catch (...) {
      OPENSSL_cleanse(text.data(), text.size());
      ::unlink(tmp.c_str());
      throw;
    }
    OPENSSL_cleanse(text.data(), text.size());
    if (::close(fd.release()) != 0) {
      const int err = errno;
      ::unlink(tmp.c_str());
      fail_errno("cannot close key file", tmp, err);
    }
  }
  // link() never replaces an existing file: exactly one creator wins.
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int err = errno;
  ::unlink(tmp.c_str());
  if (linked != 0) {
    if (err == EEXIST) return;
    fail_errno("cannot install key file", path, err);
  }
  // Make the new directory entry durable too; failure here is not fatal.
  if (const int dir_fd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

// Returns nullopt if the file does not exist.
std::optional<signing_key> try_read(const std::filesystem::path& path) {
  fd_guard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    fail_errno("cannot open key file", path, errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail_errno("cannot stat key file", path, errno);
  if (!S_ISREG(st.st_mode)) fail("key file " + path.string() + " is not a regular file");
  // Group or other access would let another account read or replace the key
  // and so forge tokens.
  if ((st.st_mode & 077) != 0) {
    fail("key file " + path.string() + " is accessible by group or others (mode " +
         octal_mode(st.st_mode) + "); run: chmod 600 " + path.string());
  }

  std::array<char, max_file_size + 1> buf{};
  std::size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = ::read(fd.get(), buf.data() + got, buf.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno("cannot read key file", path, errno);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }

  std::string_view text(buf.data(), got);
  if (text.ends_with('\n')) text.remove_suffix(1);
  std::array<std::uint8_t, signing_key::size> bytes{};
  bool valid = text.size() == hex_size;
  for (std::size_t i = 0; valid && i < signing_key::size; ++i) {
    const int hi = hex_value(text[2 * i]);
    const int lo = hex_value(text[2 * i + 1]);
    valid = hi >= 0 && lo >= 0;
    if (valid) bytes[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  OPENSSL_cleanse(buf.data(), buf.size());
  if (!valid) {
    OPENSSL_cleanse(bytes.data(), bytes.size());
    fail("key file " + path.string() + " is corrupt: expected " + std::to_string(hex_size) +
         " hex digits and a newline");
  }
  auto key = signing_key::from_bytes(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return key;
}

}  // namespace

signing_key::signing_key(const std::array<std::uint8_t, size>& bytes) : bytes_(bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  if (EVP_Digest(bytes_.data(), bytes_.size(), digest.data(), &digest_size, EVP_sha256(),
                 nullptr) != 1 ||
      digest_size < 4) {
    throw std::runtime_error("cannot compute the signing key id: SHA-256 failed");
  }
  key_id_ = to_hex(digest.data(), 4);
}

signing_key signing_key::from_bytes(const std::array<std::uint8_t, size>& bytes) {
  return signing_key(bytes);
}

signing_key signing_key::load_or_create(const std::filesystem::path& dir) {
  ensure_directory(dir);
  const std::filesystem::path path = dir / key_file_name;
  if (auto key = try_read(path)) return *std::move(key);
  // Whether we or a concurrent process created it, the file in place is complete
  // (it is linked in only after being written), so read it back.
  try_create(path);
  if (auto key = try_read(path)) return *std::move(key);
  fail("key file " + path.string() + " vanished right after being created");
}

}  // namespace hearth::auth
