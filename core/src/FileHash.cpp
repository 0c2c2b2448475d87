#include "meridian/core/FileHash.hpp"

#include "meridian/core/RegularFile.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

namespace meridian::core {
namespace {

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

DigestContext startSha256() {
  DigestContext ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) ctx.reset();
  return ctx;
}

std::string finishHex(EVP_MD_CTX* ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest, &length);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

}  // namespace

Result<std::string> sha256OfFile(const std::filesystem::path& path) {
  // A FIFO would block here forever and /dev/zero (or a symlink to it) never ends.
  if (auto regular = checkRegularFile(path); !regular) return regular.error();
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(ErrorCode::NotFound, path.string() + ": cannot open");
  auto ctx = startSha256();
  if (!ctx) return makeError(ErrorCode::Internal, "OpenSSL cannot start SHA-256");
  std::vector<char> chunk(1 << 20);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return makeError(ErrorCode::Io, path.string() + ": read error");
  return finishHex(ctx.get());
}

std::string sha256OfBytes(std::string_view bytes) {
  auto ctx = startSha256();
  // Only an allocation failure inside OpenSSL gets here: nothing sensible to return.
  if (!ctx) throw std::runtime_error("OpenSSL cannot start SHA-256");
  EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
  return finishHex(ctx.get());
}

}  // namespace meridian::core
