// The signing key file: creation with tight permissions, stable reloads, refusal
// of loose or corrupt files, and a single winner when creators race.
#include "auth/signing_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace hearth::auth {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (fs::path(testing::TempDir()) / "hearth-key-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) return 0xffffffffu;
  return static_cast<unsigned>(st.st_mode & 07777);
}

// Sized read: GCC 12 reports a false -Wnull-dereference for istreambuf_iterator at -O2.
std::string read_file(const fs::path& p) {
  std::string text(fs::file_size(p), '\0');
  std::ifstream in(p, std::ios::binary);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  return text;
}

void write_file(const fs::path& p, const std::string& text, fs::perms perms) {
  { std::ofstream(p, std::ios::binary) << text; }
  fs::permissions(p, perms);
}

// The message of the exception load_or_create throws, or "" if it succeeds.
std::string load_error(const fs::path& dir) {
  try {
    signing_key::load_or_create(dir);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

const std::string known_hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

std::array<std::uint8_t, signing_key::size> known_bytes() {
  std::array<std::uint8_t, signing_key::size> b{};
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i);
  return b;
}

TEST(SigningKey, KeyIdIsHexOfSha256Prefix) {
  // SHA-256 of 32 zero bytes is 66687aad f862bd77...
  EXPECT_EQ(signing_key::from_bytes({}).key_id(), "66687aad");
  const auto key = signing_key::from_bytes(known_bytes());
  EXPECT_EQ(key.bytes(), known_bytes());
  EXPECT_EQ(key.key_id().size(), 8u);
  EXPECT_NE(key.key_id(), "66687aad");
}

TEST(SigningKey, CreatesDirectory0700AndKeyFile0600) {
  temp_dir tmp;
  const fs::path dir = tmp.path() / "data" / "keys";
  const auto key = signing_key::load_or_create(dir);
  EXPECT_EQ(mode_of(dir), 0700u);
  const fs::path file = dir / "signing.key";
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_TRUE(fs::is_regular_file(file));

  const std::string text = read_file(file);
  ASSERT_EQ(text.size(), 65u);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find_first_not_of("0123456789abcdef"), 64u);
  // The file holds exactly the key's bytes.
  std::array<std::uint8_t, signing_key::size> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<std::uint8_t>(std::stoul(text.substr(2 * i, 2), nullptr, 16));
  }
  EXPECT_EQ(bytes, key.bytes());
  EXPECT_EQ(signing_key::from_bytes(bytes).key_id(), key.key_id());
  // Nothing else (no temporary files) is left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(SigningKey, ModesAreExactEvenUnderARestrictiveUmask) {
  temp_dir tmp;
  // 0277 would leave a directory we cannot write into and a read-only key.
  const mode_t old_mask = ::umask(0277);
  std::string err;
  try {
    signing_key::load_or_create(tmp.path() / "data");
  } catch (const std::exception& e) {
    err = e.what();
  }
  ::umask(old_mask);
  EXPECT_EQ(err, "");
  EXPECT_EQ(mode_of(tmp.path() / "data"), 0700u);
  EXPECT_EQ(mode_of(tmp.path() / "data" / "signing.key"), 0600u);
}

TEST(SigningKey, ReloadGivesTheSameKey) {
  temp_dir tmp;
  const auto first = signing_key::load_or_create(tmp.path());
  const std::string text = read_file(tmp.path() / "signing.key");
  const auto second = signing_key::load_or_create(tmp.path());
  EXPECT_EQ(first.key_id(), second.key_id());
  EXPECT_EQ(first.bytes(), second.bytes());
  EXPECT_EQ(read_file(tmp.path() / "signing.key"), text);  // never rewritten
}

TEST(SigningKey, DifferentDirectoriesGetDifferentKeys) {
  temp_dir a;
  temp_dir b;
  EXPECT_NE(signing_key::load_or_create(a.path()).bytes(),
            signing_key::load_or_create(b.path()).bytes());
}

TEST(SigningKey, LoadsAnExistingFile) {
  temp_dir tmp;
  write_file(tmp.path() / "signing.key", known_hex + "\n", fs::perms::owner_read);
  const auto key = signing_key::load_or_create(tmp.path());
  EXPECT_EQ(key.bytes(), known_bytes());
  EXPECT_EQ(key.key_id(), signing_key::from_bytes(known_bytes()).key_id());
}

TEST(SigningKey, ToleratesMissingNewlineAndUppercase) {
  temp_dir tmp;
  std::string upper = known_hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  write_file(tmp.path() / "signing.key", upper, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(signing_key::load_or_create(tmp.path()).bytes(), known_bytes());
}

TEST(SigningKey, RefusesAWorldReadableKeyFile) {
  temp_dir tmp;
  signing_key::load_or_create(tmp.path());
  const fs::path file = tmp.path() / "signing.key";
  fs::permissions(file, fs::perms::others_read, fs::perm_options::add);
  const std::string err = load_error(tmp.path());
  EXPECT_NE(err.find("group or others"), std::string::npos) << err;
  EXPECT_NE(err.find("0604"), std::string::npos) << err;
  EXPECT_EQ(err.find(read_file(file).substr(0, 64)), std::string::npos);  // no key in messages
}

TEST(SigningKey, RefusesAGroupAccessibleKeyFile) {
  temp_dir tmp;
  const fs::path file = tmp.path() / "signing.key";
  for (const fs::perms extra : {fs::perms::group_read, fs::perms::group_write,
                                fs::perms::others_write, fs::perms::others_exec}) {
    write_file(file, known_hex + "\n", fs::perms::owner_read | fs::perms::owner_write | extra);
    EXPECT_NE(load_error(tmp.path()).find("group or others"), std::string::npos);
  }
}

TEST(SigningKey, RefusesACorruptKeyFile) {
  temp_dir tmp;
  const fs::path file = tmp.path() / "signing.key";
  const std::vector<std::string> corrupt = {
      "",
      "\n",
      known_hex.substr(0, 63) + "\n",
      known_hex + "0\n",
      known_hex.substr(0, 63) + "g\n",
      known_hex + "\n\n",
      " " + known_hex + "\n",
      known_hex + " \n",
      known_hex + "\r\n",
      known_hex + "\n" + known_hex + "\n",
  };
  for (const std::string& text : corrupt) {
    write_file(file, text, fs::perms::owner_read | fs::perms::owner_write);
    const std::string err = load_error(tmp.path());
    EXPECT_NE(err.find("corrupt"), std::string::npos) << "size " << text.size() << ": " << err;
    EXPECT_EQ(read_file(file), text);  // a bad file is reported, never replaced
  }
}

TEST(SigningKey, RefusesASymlinkedKeyFile) {
  temp_dir tmp;
  write_file(tmp.path() / "elsewhere", known_hex + "\n", fs::perms::owner_read);
  fs::create_symlink(tmp.path() / "elsewhere", tmp.path() / "signing.key");
  EXPECT_FALSE(load_error(tmp.path()).empty());
}

TEST(SigningKey, RefusesADirectoryPathThatIsAFile) {
  temp_dir tmp;
  write_file(tmp.path() / "file", "x", fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_NE(load_error(tmp.path() / "file").find("not a directory"), std::string::npos);
}

TEST(SigningKey, ConcurrentCreatorsAgreeOnOneKey) {
  for (int round = 0; round < 20; ++round) {
    temp_dir tmp;
    const fs::path dir = tmp.path() / "data";
    constexpr std::size_t n = 6;
    std::vector<std::string> ids(n);
    std::vector<std::string> errors(n);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        try {
          ids[i] = signing_key::load_or_create(dir).key_id();
        } catch (const std::exception& e) {
          errors[i] = e.what();
        }
      });
    }
    for (auto& t : threads) t.join();
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(errors[i], "") << "round " << round;
      EXPECT_EQ(ids[i], ids[0]) << "round " << round;
    }
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  }
}

}  // namespace
}  // namespace hearth::auth
